package io.caravan.session;

import io.caravan.fs.ConfinedDir;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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

    /**
     * Writes {@code text} as {@code name} in {@code dir}: a new temporary file (never an existing one, nor
     * through a link), forced, renamed over {@code name} (a link there is replaced, its target untouched),
     * and the folder forced.
     */
    static void writeString(ConfinedDir dir, String name, String text, Syncer syncer) throws IOException {
        String tmp = tempIn(dir.self()).getFileName().toString();
        try (FileChannel channel = dir.create(tmp)) {
            ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            syncer.file(dir.entry(tmp), channel);
        } catch (IOException | RuntimeException e) {
            dir.deleteTree(tmp);
            throw e;
        }
        dir.rename(tmp, dir, name);
        syncer.folder(dir.self());
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
