package io.caravan.pack;

/** Names the kinds of file that are neither regular files, folders nor symlinks. */
final class SpecialFiles {

    private SpecialFiles() {
    }

    static String describe(int mode) {
        return switch (mode & 0170000) {
            case 0010000 -> "FIFO";
            case 0020000 -> "character device";
            case 0060000 -> "block device";
            case 0140000 -> "socket";
            default -> "file type " + Integer.toOctalString(mode & 0170000);
        };
    }
}
