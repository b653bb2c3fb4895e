package io.caravan.receiver;

import io.caravan.session.StoredChunk;
import io.caravan.session.Syncer;
import io.caravan.util.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.List;

/**
 * A raw session's file before its publish: either the store's own file, only forced to disk, or, when
 * its chunks are not laid out in one file, the chunks joined in order into a new file, hashed and forced.
 */
final class RawConcatenation {

    /** How a stored chunk's bytes are read. */
    interface ChunkReader {
        InputStream open(StoredChunk chunk) throws IOException;
    }

    private RawConcatenation() {
    }

    static String concatenate(List<StoredChunk> chunks, ChunkReader reader, Path target, Syncer syncer) throws IOException {
        MessageDigest digest = Sha256.newDigest();
        byte[] buffer = new byte[1 << 20];
        try (FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (StoredChunk chunk : chunks) {
                try (InputStream in = reader.open(chunk)) {
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        digest.update(buffer, 0, n);
                        ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, n);
                        while (bytes.hasRemaining()) {
                            out.write(bytes);
                        }
                    }
                }
            }
            syncer.file(target, out);
        }
        return Sha256.hex(digest);
    }

    /** The SHA-256 of {@code file} (when no in-order hash was kept while its chunks arrived). */
    static String hash(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            return Sha256.of(in, new byte[1 << 20]);
        }
    }

    /** Forces {@code file} to disk. */
    static void force(Path file, Syncer syncer) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            syncer.file(file, channel);
        }
    }
}
