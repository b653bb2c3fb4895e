package io.caravan.fs;

/**
 * The rules every name Caravan publishes, applies or writes must follow, however it arrives
 * (session name, top-level entry of a nameless parcel, part set, mirror path, archive entry): a
 * relative path of non-empty segments, none {@code .} or {@code ..}, none longer than 255 bytes,
 * at most {@value #MAX_PATH_BYTES} bytes and {@value #MAX_DEPTH} parts in all (so it can never make
 * a path the operating system refuses), no control characters, nothing UTF-8 cannot hold (an unpaired
 * UTF-16 surrogate, which JSON's {@code \ud800} escapes can carry), and no reserved name
 * ({@code .caravan}, and {@code .caravan-} followed by anything: the receiver's state, staging and
 * temporary names).
 */
public final class NameRules {

    /** Caravan's own names: the state folder {@code .caravan} and everything starting with {@code .caravan-} (staging, temporary names). */
    public static final String RESERVED_PREFIX = ".caravan";
    public static final int MAX_SEGMENT_BYTES = 255;
    /**
     * UTF-8 bytes a whole relative name may have. Linux refuses paths of {@value #PATH_MAX} bytes and
     * more; the rest is left for the destination's own path, Caravan's state folders a name also lives
     * below ({@code .caravan/staging/<session>}, {@code .caravan/versions/<time>-<random>}) and a
     * rename's {@code " (n)"}. So a destination (an inbox) whose absolute path is under 900 bytes can
     * hold every name these rules accept.
     */
    public static final int MAX_PATH_BYTES = 3072;
    /** Parts (folders and the last name) a relative name may have. */
    public static final int MAX_DEPTH = 256;
    /** Linux's {@code PATH_MAX}: a path of this many bytes or more is refused by the kernel. */
    public static final int PATH_MAX = 4096;

    private NameRules() {
    }

    /** Throws {@link BadNameException} naming the first rule {@code relative} breaks. */
    public static String check(String relative) {
        String problem = problem(relative);
        if (problem != null) {
            throw new BadNameException(relative, problem);
        }
        return relative;
    }

    /** The first rule {@code relative} breaks, or null. A trailing {@code /} is allowed (it means "into"). */
    public static String problem(String relative) {
        if (relative == null || relative.isEmpty()) {
            return "a name must not be empty";
        }
        if (relative.startsWith("/")) {
            return "absolute paths are not allowed; give a relative path such as 'reports' or 'backup/reports'";
        }
        String body = relative.endsWith("/") ? relative.substring(0, relative.length() - 1) : relative;
        for (String segment : body.split("/", -1)) {
            String problem = segmentProblem(segment);
            if (problem != null) {
                return problem;
            }
        }
        return totalProblem(body);
    }

    /**
     * The first length rule an already normalised relative path breaks (a part over
     * {@value #MAX_SEGMENT_BYTES} bytes, over {@value #MAX_DEPTH} parts or {@value #MAX_PATH_BYTES}
     * bytes in all), or null; for archive entries, whose parts the extraction checks one by one
     * with {@link #segmentProblem} ({@code io.caravan.unpack.EntryPaths}).
     */
    public static String lengthProblem(String relative) {
        String body = relative.endsWith("/") ? relative.substring(0, relative.length() - 1) : relative;
        for (String segment : body.split("/", -1)) {
            if (utf8Length(segment) > MAX_SEGMENT_BYTES) {
                return SEGMENT_TOO_LONG;
            }
        }
        return totalProblem(body);
    }

    private static final String SEGMENT_TOO_LONG = "a path part is longer than " + MAX_SEGMENT_BYTES + " bytes";

    private static String totalProblem(String body) {
        int bytes = utf8Length(body);
        if (bytes > MAX_PATH_BYTES) {
            return "the whole name is " + bytes + " bytes, longer than the " + MAX_PATH_BYTES
                    + " bytes a name may have; send it under a shorter name or from a folder nearer the top";
        }
        int parts = 1;
        for (int i = 0; i < body.length(); i++) {
            if (body.charAt(i) == '/') {
                parts++;
            }
        }
        if (parts > MAX_DEPTH) {
            return "the name has " + parts + " parts, more than the " + MAX_DEPTH + " parts (folders deep) a name may have";
        }
        return null;
    }

    /**
     * {@code stem + tail}, with {@code stem} shortened (never inside a character) as far as needed for
     * the result to fit in {@value #MAX_SEGMENT_BYTES} bytes: for names made from an existing one, such
     * as a rename's {@code "name (1).txt"} (tail {@code " (1).txt"}) or a version's {@code "name~1"}.
     */
    public static String fit(String stem, String tail) {
        int room = MAX_SEGMENT_BYTES - utf8Length(tail);
        if (room < 1) {
            throw new IllegalArgumentException("a tail of " + utf8Length(tail) + " bytes leaves no room for a name");
        }
        if (utf8Length(stem) <= room) {
            return stem + tail;
        }
        int used = 0;
        int end = 0;
        while (end < stem.length()) {
            int codePoint = stem.codePointAt(end);
            int size = utf8Length(codePoint);
            if (used + size > room) {
                break;
            }
            used += size;
            end += Character.charCount(codePoint);
        }
        return stem.substring(0, end) + tail;
    }

    /** Bytes of {@code text} in UTF-8. */
    public static int utf8Length(String text) {
        int bytes = 0;
        for (int i = 0; i < text.length(); ) {
            int codePoint = text.codePointAt(i);
            bytes += utf8Length(codePoint);
            i += Character.charCount(codePoint);
        }
        return bytes;
    }

    private static int utf8Length(int codePoint) {
        return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
    }

    /** The first rule one path segment breaks, or null. */
    public static String segmentProblem(String segment) {
        if (segment.isEmpty()) {
            return "empty path parts ('//') are not allowed";
        }
        if (segment.equals(".") || segment.equals("..")) {
            return "'" + segment + "' parts are not allowed";
        }
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return "control characters (here U+" + String.format("%04X", (int) c) + ") are not allowed in names";
            }
            if (c == '\\') {
                return "backslashes are not allowed in names; use '/' between folders";
            }
            if (Character.isSurrogate(c)) {
                if (pairedAt(segment, i)) {
                    i++;
                    continue;
                }
                return "unpaired UTF-16 surrogates (here U+" + String.format("%04X", (int) c)
                        + ") are not allowed in names: UTF-8 cannot hold them";
            }
        }
        if (utf8Length(segment) > MAX_SEGMENT_BYTES) {
            return SEGMENT_TOO_LONG;
        }
        if (reserved(segment)) {
            return "'" + segment + "' is a reserved name ('.caravan' and names starting with '.caravan-' are Caravan's own"
                    + " state and temporary files, at any depth)";
        }
        return null;
    }

    /** Whether {@code text} has a high surrogate at {@code i} followed by a low one: one character beyond U+FFFF. */
    private static boolean pairedAt(String text, int i) {
        return Character.isHighSurrogate(text.charAt(i)) && i + 1 < text.length()
                && Character.isLowSurrogate(text.charAt(i + 1));
    }

    /** Whether one path segment is one of Caravan's own names ({@code .caravan}, {@code .caravan-*}). */
    public static boolean reserved(String segment) {
        return segment.equals(RESERVED_PREFIX) || segment.startsWith(RESERVED_PREFIX + "-");
    }

    /**
     * The name with control characters (C0, DEL, C1, U+2028/U+2029), bidirectional controls and unpaired surrogates
     * escaped, safe for a message or a log line.
     */
    public static String printable(String name) {
        return printable(name, 600);
    }

    /** {@code text} escaped as {@link #printable(String)} does, at most about {@code maxChars} characters of it. */
    public static String printable(String text, int maxChars) {
        String name = text;
        if (name == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(Math.min(name.length(), maxChars));
        for (int i = 0; i < name.length() && out.length() < maxChars; i++) {
            char c = name.charAt(i);
            if (Character.isSurrogate(c) && pairedAt(name, i)) {
                out.append(c).append(name.charAt(++i));
            } else if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029' || Character.isSurrogate(c) || bidi(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Whether {@code c} is a bidirectional control: shown, it reverses or reorders the text around it. */
    private static boolean bidi(char c) {
        return c == '\u061c' || c == '\u200e' || c == '\u200f' || c >= '\u202a' && c <= '\u202e' || c >= '\u2066' && c <= '\u2069';
    }

    /** Characters of a name {@link #shortened} shows whole; a longer one keeps its start and end. */
    public static final int SHOWN_CHARS = 200;

    /**
     * The name {@link #printable}, and when longer than {@value #SHOWN_CHARS} characters, its start and
     * end around how many bytes it has ({@code "d/d/d/…(6001 bytes)…/d/d"}), for a message or a log line.
     */
    public static String shortened(String name) {
        return shortened(name, SHOWN_CHARS);
    }

    /**
     * Any text {@link #printable}, and when longer than {@code shown} characters, its start and end around how
     * many bytes it has, as {@link #shortened(String)} shows a name: for a text a client gave that goes to a log
     * line (a request's path, an answer's message quoting what it sent).
     */
    public static String shortened(String name, int shown) {
        if (name == null || name.length() <= shown) {
            return printable(name);
        }
        int half = shown / 2 - 10;
        return printable(name.substring(0, half)) + "…(" + utf8Length(name) + " bytes)…"
                + printable(name.substring(name.length() - half));
    }

    /**
     * Whether the last name of {@code path} cannot be read as text: its bytes are not UTF-8, so Java
     * shows them as U+FFFD and the name, as text, names another file or none (nothing can be read, sent
     * or moved by it). A name that holds U+FFFD itself, written as UTF-8, is readable.
     */
    public static boolean unreadable(java.nio.file.Path path) {
        String name = String.valueOf(path.getFileName());
        return name.indexOf('\uFFFD') >= 0
                && !java.nio.file.Files.exists(path.resolveSibling(name), java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * The last name of {@code path} as the bytes it holds, for a log line: what is UTF-8 as text (control
     * characters escaped as by {@link #printable}), every other byte as {@code \xNN}. The bytes are those of a
     * path read from a folder's listing, which keeps them (its text shows them as U+FFFD); a path made from
     * text holds the text's bytes.
     */
    public static String shownBytes(java.nio.file.Path path) {
        String raw = path.toAbsolutePath().toUri().getRawPath();
        raw = raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw;
        raw = raw.substring(raw.lastIndexOf('/') + 1);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%' && i + 2 < raw.length()) {
                bytes.write(Integer.parseInt(raw.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                bytes.write(c);
            }
        }
        return shownBytes(bytes.toByteArray());
    }

    /** Whether {@code bytes} are well-formed UTF-8 (a name a reader would otherwise decode leniently, to {@code ?} or U+FFFD). */
    public static boolean utf8(byte[] bytes) {
        try {
            java.nio.charset.StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }

    /**
     * {@code name} as the bytes it holds, for a message or a log line: what is UTF-8 as text (control characters
     * escaped as by {@link #printable}), every other byte as {@code \xNN}.
     */
    public static String shownBytes(byte[] name) {
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(name);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(in.remaining());
        java.nio.charset.CharsetDecoder decoder = java.nio.charset.StandardCharsets.UTF_8.newDecoder();
        StringBuilder shown = new StringBuilder();
        while (true) {
            java.nio.charset.CoderResult result = decoder.decode(in, out, true);
            shown.append(printable(out.flip().toString()));
            out.clear();
            if (!result.isError()) {
                return shown.toString();
            }
            for (int i = 0; i < result.length(); i++) {
                shown.append(String.format("\\x%02x", in.get() & 0xff));
            }
        }
    }
}
