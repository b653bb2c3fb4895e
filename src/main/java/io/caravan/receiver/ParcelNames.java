package io.caravan.receiver;

import io.caravan.session.RequestRejectedException;
import java.nio.charset.StandardCharsets;

/** Checks a parcel name given by a sender: a relative path inside the inbox, not touching its state folder. */
final class ParcelNames {

    /** Longest name segment a file system takes (NAME_MAX on Linux and most others), in UTF-8 bytes. */
    static final int MAX_SEGMENT_BYTES = 255;

    private ParcelNames() {
    }

    static String check(String name) {
        if (name == null) {
            return null;
        }
        int control = firstControlCharacter(name);
        if (control >= 0) {
            throw RequestRejectedException.badRequest("name " + printable(name) + " holds the control character U+"
                    + String.format("%04X", (int) name.charAt(control)) + " at position " + control
                    + ": names may not hold control characters (below U+0020, or U+007F)");
        }
        if (name.isBlank() || name.startsWith("/") || name.indexOf('\0') >= 0 || name.indexOf('\\') >= 0) {
            throw RequestRejectedException.badRequest("name '" + name + "' must be a relative path such as 'reports' or 'backup/reports'");
        }
        for (String segment : name.split("/")) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..") || segment.startsWith(".caravan")) {
                throw RequestRejectedException.badRequest("name '" + name + "' has a forbidden part '" + segment + "'");
            }
            int bytes = segment.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > MAX_SEGMENT_BYTES) {
                throw RequestRejectedException.badRequest("name '" + name + "' has a part of " + bytes + " bytes: each part"
                        + " between slashes may be at most " + MAX_SEGMENT_BYTES + " bytes (UTF-8)");
            }
        }
        return name;
    }

    private static int firstControlCharacter(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return i;
            }
        }
        return -1;
    }

    /** The name in quotes with control characters shown as escapes, so a message never carries them. */
    private static String printable(String name) {
        StringBuilder shown = new StringBuilder("'");
        for (char c : name.toCharArray()) {
            shown.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return shown.append('\'').toString();
    }
}
