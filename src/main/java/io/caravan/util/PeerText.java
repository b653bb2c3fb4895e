package io.caravan.util;

import io.caravan.fs.NameRules;

/**
 * Words a peer (a receiver, a share server, a catalog) sent, made fit for a message, a log line or a
 * terminal: whatever the peer sends, at most {@link #EXCERPT_CHARS} characters are shown, stripped, with
 * control characters (and U+2028/U+2029) escaped as {@code \\uXXXX}, so no escape sequence, carriage
 * return or forged line of the peer's reaches the user's terminal or the logs.
 */
public final class PeerText {

    /** The most characters of a peer's text quoted in a message. */
    public static final int EXCERPT_CHARS = 200;

    private PeerText() {
    }

    /** At most {@link #EXCERPT_CHARS} characters of {@code text}, escaped as the class says, "…" appended when cut. */
    public static String excerpt(String text) {
        String stripped = text.strip();
        int shown = Math.min(stripped.length(), EXCERPT_CHARS);
        String printable = NameRules.printable(stripped.substring(0, shown));
        return shown < stripped.length() ? printable + "…" : printable;
    }
}
