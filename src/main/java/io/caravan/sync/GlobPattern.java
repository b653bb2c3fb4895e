package io.caravan.sync;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * One rsync-style pattern compiled to a regular expression over {@code /}-separated relative paths:
 * {@code *} and {@code ?} stay within a name, {@code **} crosses slashes ({@code a/**}{@code /b} also
 * matches {@code a/b}), {@code [...]} is a character class ({@code [!...]} negates, {@code [:digit:]}
 * and the other POSIX names work inside), {@code \} makes the next character literal, a trailing
 * {@code /***} matches a folder and everything in it. A leading {@code /} anchors the pattern at the
 * root; otherwise it matches the end of a path at a slash. A trailing {@code /} matches folders only.
 */
final class GlobPattern {

    private static final Map<String, String> CLASSES = Map.of("alpha", "\\p{Alpha}", "digit", "\\p{Digit}",
            "alnum", "\\p{Alnum}", "upper", "\\p{Upper}", "lower", "\\p{Lower}", "space", "\\s", "punct", "\\p{Punct}",
            "xdigit", "\\p{XDigit}");

    private final Pattern regex;
    private final boolean dirOnly;

    private GlobPattern(Pattern regex, boolean dirOnly) {
        this.regex = regex;
        this.dirOnly = dirOnly;
    }

    /** The compiled pattern, or null for one that can match no entry (empty, or only slashes). */
    static GlobPattern compile(String pattern) {
        String glob = pattern;
        boolean dirOnly = false;
        while (glob.endsWith("/") && !glob.endsWith("\\/")) {
            glob = glob.substring(0, glob.length() - 1);
            dirOnly = true;
        }
        boolean anchored = glob.startsWith("/");
        while (glob.startsWith("/")) {
            glob = glob.substring(1);
        }
        if (glob.isEmpty()) {
            return null;
        }
        String body = glob.endsWith("/***") ? translate(glob.substring(0, glob.length() - 4)) + "(?:/.*)?" : translate(glob);
        return new GlobPattern(Pattern.compile((anchored ? "" : "(?:.*/)?") + body, Pattern.DOTALL), dirOnly);
    }

    boolean matches(String path, boolean dir) {
        return (dir || !dirOnly) && regex.matcher(path).matches();
    }

    private static String translate(String glob) {
        StringBuilder out = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < glob.length()) {
            char c = glob.charAt(i);
            if (c == '\\' && i + 1 < glob.length()) {
                literal.append(glob.charAt(i + 1));
                i += 2;
                continue;
            }
            int end = c == '[' ? classEnd(glob, i) : -1;
            if (c != '*' && c != '?' && end < 0) {
                literal.append(c);
                i++;
                continue;
            }
            flush(literal, out);
            if (c == '*') {
                boolean nameStart = i == 0 || glob.charAt(i - 1) == '/';
                int stars = 0;
                for (; i < glob.length() && glob.charAt(i) == '*'; i++) {
                    stars++;
                }
                if (stars >= 2 && nameStart && i < glob.length() && glob.charAt(i) == '/') {
                    out.append("(?:.*/)?"); // a/**/b: any folders between, or none
                    i++;
                } else {
                    out.append(stars >= 2 ? ".*" : "[^/]*");
                }
            } else if (c == '?') {
                out.append("[^/]");
                i++;
            } else {
                out.append(characterClass(glob.substring(i + 1, end)));
                i = end + 1;
            }
        }
        flush(literal, out);
        return out.toString();
    }

    private static void flush(StringBuilder literal, StringBuilder out) {
        if (!literal.isEmpty()) {
            out.append(Pattern.quote(literal.toString()));
            literal.setLength(0);
        }
    }

    /** Index of the {@code ]} closing the class that opens at {@code open}, or -1. */
    private static int classEnd(String glob, int open) {
        int i = open + 1;
        if (i < glob.length() && (glob.charAt(i) == '!' || glob.charAt(i) == '^')) {
            i++;
        }
        if (i < glob.length() && glob.charAt(i) == ']') {
            i++; // a ] first in the class is literal
        }
        while (i < glob.length()) {
            if (glob.startsWith("[:", i)) {
                int close = glob.indexOf(":]", i + 2);
                if (close > 0) {
                    i = close + 2;
                    continue;
                }
            }
            if (glob.charAt(i) == ']') {
                return i;
            }
            i++;
        }
        return -1;
    }

    private static String characterClass(String inside) {
        StringBuilder out = new StringBuilder("[");
        int i = 0;
        if (!inside.isEmpty() && (inside.charAt(0) == '!' || inside.charAt(0) == '^')) {
            out.append('^').append('/'); // a negated class never matches the separator
            i++;
        }
        while (i < inside.length()) {
            char c = inside.charAt(i);
            int close = inside.startsWith("[:", i) ? inside.indexOf(":]", i + 2) : -1;
            if (close > 0 && CLASSES.containsKey(inside.substring(i + 2, close))) {
                out.append(CLASSES.get(inside.substring(i + 2, close)));
                i = close + 2;
            } else {
                boolean range = c == '-' && i > 0 && i < inside.length() - 1;
                out.append(c < 128 && !Character.isLetterOrDigit(c) && !range ? "\\" + c : String.valueOf(c));
                i++;
            }
        }
        return out.append(']').toString();
    }
}
