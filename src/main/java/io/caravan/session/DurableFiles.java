package io.caravan.session;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HexFormat;

/** Crash-safe writes: temp file, fsync, rename, fsync of the folder (each fsync through a {@link Syncer}). */
final class DurableFiles {

    private static final SecureRandom RANDOM = new SecureRandom();

    private DurableFiles() {
    }

    static Path tempIn(Path dir) {
        byte[] id = new byte[6];
        RANDOM.nextBytes(id);
        return dir.resolve(".tmp-" + HexFormat.of().formatHex(id));
    }

    static void writeString(Path file, String text, Syncer syncer) throws IOException {
        Path tmp = tempIn(file.getParent());
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            syncer.file(tmp, channel);
        }
        moveDurably(tmp, file, syncer);
    }

    static void moveDurably(Path from, Path to, Syncer syncer) throws IOException {
        move(from, to);
        syncer.folder(to.getParent());
    }

    /** The rename alone: it survives a crash of the process, and a crash of the machine only once its folder is forced. */
    static void move(Path from, Path to) throws IOException {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
