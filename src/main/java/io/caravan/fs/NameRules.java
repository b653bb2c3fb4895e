package io.caravan.fs;

import java.nio.charset.StandardCharsets;

/**
 * The rules every name Caravan publishes, applies or writes must follow, however it arrives
 * (session name, top-level entry of a nameless parcel, part set, mirror path, archive entry): a
 * relative path of non-empty segments, none {@code .} or {@code ..}, none longer than 255 bytes,
 * no control characters, and no reserved name ({@code .caravan}, and {@code .caravan-} followed by
 * anything: the receiver's state, staging and temporary names).
 */
public final class NameRules {

    /** Caravan's own names: the state folder {@code .caravan} and everything starting with {@code .caravan-} (staging, temporary names). */
    public static final String RESERVED_PREFIX = ".caravan";
    public static final int MAX_SEGMENT_BYTES = 255;

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
        return null;
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
        }
        if (segment.getBytes(StandardCharsets.UTF_8).length > MAX_SEGMENT_BYTES) {
            return "a path part is longer than " + MAX_SEGMENT_BYTES + " bytes";
        }
        if (reserved(segment)) {
            return "'.caravan' and names starting with '.caravan-' are reserved for Caravan's own state and temporary files";
        }
        return null;
    }

    /** Whether one path segment is one of Caravan's own names ({@code .caravan}, {@code .caravan-*}). */
    public static boolean reserved(String segment) {
        return segment.equals(RESERVED_PREFIX) || segment.startsWith(RESERVED_PREFIX + "-");
    }

    /** The name with control characters escaped, safe for a message or a log line. */
    public static String printable(String name) {
        if (name == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(name.length());
        for (int i = 0; i < name.length() && out.length() < 600; i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
