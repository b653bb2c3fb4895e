package io.caravan.sync;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * One rsync-style pattern over {@code /}-separated relative paths: {@code *} and {@code ?} stay within
 * a name, {@code **} crosses slashes ({@code a/**}{@code /b} also matches {@code a/b}), {@code [...]} is
 * a character class ({@code [!...]} negates, {@code [:digit:]} and the other POSIX names work inside),
 * {@code \} makes the next character literal, a trailing {@code /***} matches a folder and everything
 * in it. A leading {@code /} anchors the pattern at the root; otherwise it matches the end of a path at
 * a slash. A trailing {@code /} matches folders only.
 *
 * <p>The pattern is a list of steps run as a set of positions over the path's characters (never a
 * backtracking regular expression): deciding a path takes at most the pattern's steps times the path's
 * characters, whatever the pattern, and one run decides every leading part of the path at once.
 */
final class GlobPattern {

    private static final Map<String, String> CLASSES = Map.of("alpha", "\\p{Alpha}", "digit", "\\p{Digit}",
            "alnum", "\\p{Alnum}", "upper", "\\p{Upper}", "lower", "\\p{Lower}", "space", "\\s", "punct", "\\p{Punct}",
            "xdigit", "\\p{XDigit}");

    /** One character equal to the step's own. */
    private static final byte LITERAL = 0;
    /** One character but a slash ({@code ?}). */
    private static final byte ONE = 1;
    /** One character of the step's class ({@code [...]}). */
    private static final byte CLASS = 2;
    /** Any characters but a slash, or none ({@code *}). */
    private static final byte STAR = 3;
    /** Any characters, or none ({@code **}). */
    private static final byte ANY = 4;
    /**
     * Nothing, or any characters ending with a slash (folders above: {@code **}{@code /}, an unanchored
     * start); always followed by {@link #INSIDE}, where it goes on a character.
     */
    private static final byte FOLDERS = 5;
    /** Within {@link #FOLDERS}' characters: any character stays, a slash may also end them. */
    private static final byte INSIDE = 7;
    /** Last but one: the end, or a slash and then the last step's anything (a trailing {@code /***}). */
    private static final byte BELOW = 6;

    private final byte[] kinds;
    private final int[] literals;
    private final CharClass[] classes;
    private final boolean dirOnly;

    private GlobPattern(Steps steps, boolean dirOnly) {
        this.kinds = java.util.Arrays.copyOf(steps.kinds, steps.size);
        this.literals = java.util.Arrays.copyOf(steps.literals, steps.size);
        this.classes = java.util.Arrays.copyOf(steps.classes, steps.size);
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
        Steps steps = new Steps();
        if (!anchored) {
            steps.folders();
        }
        if (glob.endsWith("/***")) {
            translate(glob.substring(0, glob.length() - 4), steps);
            steps.add(BELOW, 0, null);
            steps.add(ANY, 0, null);
        } else {
            translate(glob, steps);
        }
        return new GlobPattern(steps, dirOnly);
    }

    boolean matches(String path, boolean dir) {
        if (dir || !dirOnly) {
            int[] chars = path.codePoints().toArray();
            return run(chars, null);
        }
        return false;
    }

    /** Whether the whole path may match: not when the pattern takes folders only and it is not one. */
    boolean takes(boolean dir) {
        return dir || !dirOnly;
    }

    /**
     * Whether each leading part of {@code chars} (a path's code points) matches, ignoring whether it
     * is a folder: element {@code k} for the first {@code k} characters, up to the whole path.
     */
    boolean[] leadingMatches(int[] chars) {
        boolean[] ends = new boolean[chars.length + 1];
        run(chars, ends);
        return ends;
    }

    /** Runs the steps over {@code chars}; whether all of it matches, and in {@code ends} (when given) each leading part. */
    private boolean run(int[] chars, boolean[] ends) {
        int m = kinds.length;
        boolean[] at = new boolean[m + 1];
        boolean[] next = new boolean[m + 1];
        at[0] = true;
        close(at);
        if (ends != null) {
            ends[0] = at[m];
        }
        for (int k = 0; k < chars.length; k++) {
            int c = chars[k];
            java.util.Arrays.fill(next, false);
            boolean alive = false;
            for (int i = 0; i < m; i++) {
                if (!at[i]) {
                    continue;
                }
                int to = switch (kinds[i]) {
                    case LITERAL -> c == literals[i] ? i + 1 : -1;
                    case ONE -> c != '/' ? i + 1 : -1;
                    case CLASS -> classes[i].has(c) ? i + 1 : -1;
                    case STAR -> c != '/' ? i : -1;
                    case ANY -> i;
                    case FOLDERS, INSIDE -> {
                        int inside = kinds[i] == FOLDERS ? i + 1 : i;
                        if (c == '/') {
                            next[inside + 1] = true;
                        }
                        yield inside;
                    }
                    default -> c == '/' ? i + 1 : -1; // BELOW
                };
                if (to >= 0) {
                    next[to] = true;
                    alive = true;
                }
            }
            if (!alive) {
                return false; // every leading part further on fails too (ends stays false)
            }
            close(next);
            boolean[] swap = at;
            at = next;
            next = swap;
            if (ends != null) {
                ends[k + 1] = at[m];
            }
        }
        return at[m];
    }

    /** Adds to {@code at} the positions reached from it without taking a character (steps that may take none). */
    private void close(boolean[] at) {
        for (int i = 0; i < kinds.length; i++) {
            if (at[i]) {
                byte kind = kinds[i];
                if (kind == STAR || kind == ANY) {
                    at[i + 1] = true;
                } else if (kind == FOLDERS || kind == BELOW) {
                    at[i + 2] = true;
                }
            }
        }
    }

    private static void translate(String glob, Steps steps) {
        int i = 0;
        while (i < glob.length()) {
            int c = glob.codePointAt(i);
            if (c == '\\' && i + 1 < glob.length()) {
                int next = glob.codePointAt(i + 1);
                steps.add(LITERAL, next, null);
                i += 1 + Character.charCount(next);
                continue;
            }
            int end = c == '[' ? classEnd(glob, i) : -1;
            if (c != '*' && c != '?' && end < 0) {
                steps.add(LITERAL, c, null);
                i += Character.charCount(c);
                continue;
            }
            if (c == '*') {
                boolean nameStart = i == 0 || glob.charAt(i - 1) == '/';
                int stars = 0;
                for (; i < glob.length() && glob.charAt(i) == '*'; i++) {
                    stars++;
                }
                if (stars >= 2 && nameStart && i < glob.length() && glob.charAt(i) == '/') {
                    steps.folders(); // a/**/b: any folders between, or none
                    i++;
                } else {
                    steps.add(stars >= 2 ? ANY : STAR, 0, null);
                }
            } else if (c == '?') {
                steps.add(ONE, 0, null);
                i++;
            } else {
                steps.add(CLASS, 0, new CharClass(Pattern.compile(characterClass(glob.substring(i + 1, end)), Pattern.DOTALL)));
                i = end + 1;
            }
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

    /** The class as a regular expression of one character (which cannot backtrack). */
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

    /** A character class: ASCII decided by a table, the rest by the class's one-character expression. */
    private static final class CharClass {
        private final Pattern pattern;
        private final boolean[] ascii = new boolean[128];

        CharClass(Pattern pattern) {
            this.pattern = pattern;
            for (int c = 0; c < 128; c++) {
                ascii[c] = pattern.matcher(String.valueOf((char) c)).matches();
            }
        }

        boolean has(int c) {
            return c < 128 ? ascii[c] : pattern.matcher(Character.toString(c)).matches();
        }
    }

    /** The steps as they are added. */
    private static final class Steps {
        private byte[] kinds = new byte[16];
        private int[] literals = new int[16];
        private CharClass[] classes = new CharClass[16];
        private int size;

        void folders() {
            add(FOLDERS, 0, null);
            add(INSIDE, 0, null);
        }

        void add(byte kind, int literal, CharClass charClass) {
            if (size == kinds.length) {
                kinds = java.util.Arrays.copyOf(kinds, size * 2);
                literals = java.util.Arrays.copyOf(literals, size * 2);
                classes = java.util.Arrays.copyOf(classes, size * 2);
            }
            kinds[size] = kind;
            literals[size] = literal;
            classes[size] = charClass;
            size++;
        }
    }
}
