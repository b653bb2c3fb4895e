package io.caravan.audit;

/**
 * Bounds what a client's request may put into one audit line: a request path, a name or a session id
 * that the receiver refused is kept up to {@value #MAX} characters, and a longer one is cut there and says
 * so with its length, so a refused request costs a line of bounded size whatever its target held.
 */
public final class AuditText {

    /** The most characters of a client-given string one audit line keeps. */
    public static final int MAX = 256;

    private AuditText() {
    }

    /** {@code text} itself when at most {@value #MAX} characters, else its first ones and how long it was. */
    public static String bounded(String text) {
        if (text == null || text.length() <= MAX) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(MAX - 1)) ? MAX - 1 : MAX;
        return text.substring(0, end) + "... (cut: " + text.length() + " characters)";
    }
}
