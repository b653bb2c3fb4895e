package io.caravan.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.Optional;

/**
 * Whether an entry a publish would put in place of another is the very same file: both regular files, and
 * the same inode (a stored file linked in) or the same size, permissions and mtime and the same bytes. Such
 * a file is left where it is: nothing would be replaced, so no version of it is kept (a folder sent again,
 * or a merge redone after a crash, would otherwise keep a copy of every file). Only files whose size, mode
 * and mtime all match are read, so a publish of changed files reads nothing more.
 */
public final class SameFile {

    private static final int BLOCK = 64 * 1024;

    private SameFile() {
    }

    /** Whether {@code incoming} in {@code from} is the same file as {@code existing} in {@code into}; reads both when it may be. */
    public static boolean same(ConfinedDir from, String incoming, ConfinedDir into, String existing) throws IOException {
        Optional<PosixFileAttributes> a = from.stat(incoming);
        Optional<PosixFileAttributes> b = into.stat(existing);
        if (a.isEmpty() || b.isEmpty() || !a.get().isRegularFile() || !b.get().isRegularFile()) {
            return false;
        }
        if (a.get().fileKey() != null && a.get().fileKey().equals(b.get().fileKey())) {
            return true;
        }
        if (a.get().size() != b.get().size() || !a.get().permissions().equals(b.get().permissions())
                || !a.get().lastModifiedTime().equals(b.get().lastModifiedTime())) {
            return false;
        }
        try (FileChannel x = from.readLinked(incoming); FileChannel y = into.readLinked(existing)) {
            return sameBytes(x, y);
        }
    }

    private static boolean sameBytes(FileChannel x, FileChannel y) throws IOException {
        ByteBuffer one = ByteBuffer.allocate(BLOCK);
        ByteBuffer other = ByteBuffer.allocate(BLOCK);
        while (true) {
            int read = fill(x, one);
            if (fill(y, other) != read || !one.flip().equals(other.flip())) {
                return false;
            }
            if (read < BLOCK) {
                return true;
            }
            one.clear();
            other.clear();
        }
    }

    /** Reads until {@code buffer} is full or the file ends; how many bytes it holds. */
    private static int fill(FileChannel in, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining() && in.read(buffer) >= 0) {
            // until full or the end
        }
        return buffer.position();
    }
}
