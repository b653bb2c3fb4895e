package io.caravan.session;

import com.sun.nio.file.ExtendedOpenOption;
import io.caravan.util.AlignedBuffers;
import io.caravan.util.Sha256;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one chunk body to a new file, hashing it, and forces it to disk (fdatasync) when the
 * {@link Durability} asks for every chunk. Where the
 * file system allows, the body goes to disk with O_DIRECT through a small block-aligned buffer,
 * hashed piece by piece while the piece is in cache: chunk files neither pay for nor evict page
 * cache they are rarely read from (the extraction reads the body kept in memory). Without direct
 * I/O (tmpfs, some network mounts), or when every aligned buffer is busy, it is a buffered
 * gathering write straight from the request buffers.
 */
final class ChunkFileWriter {

    private static final Logger LOG = LoggerFactory.getLogger(ChunkFileWriter.class);
    private static final Set<OpenOption> DIRECT = Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING, ExtendedOpenOption.DIRECT);
    private static final Set<OpenOption> BUFFERED = Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING);

    private final AlignedBuffers buffers;
    private final Durability durability;
    private volatile boolean direct;

    ChunkFileWriter(AlignedBuffers buffers) {
        this(buffers, Durability.DEFAULT);
    }

    ChunkFileWriter(AlignedBuffers buffers, Durability durability) {
        this.buffers = buffers;
        this.durability = durability;
        this.direct = buffers.enabled();
    }

    /** Writes {@code body} ({@code length} bytes in all) to the new file {@code file}; answers its SHA-256. */
    String write(Path file, ByteBuffer[] body, long length) throws IOException {
        ByteBuffer staging = direct && length > 0 ? buffers.acquire() : null;
        if (staging == null) {
            return buffered(file, body, length);
        }
        try {
            String sha = direct(file, body, staging);
            return sha != null ? sha : buffered(file, body, length);
        } catch (IOException e) {
            // a file system that opens with O_DIRECT but refuses the writes (alignment): if the page
            // cache path works, use it from now on; if it fails too, that failure is the real one
            String sha = buffered(file, body, length);
            direct = false;
            LOG.warn("direct I/O failed in {} ({}); chunk files are written through the page cache from now on",
                    file.getParent(), e.getMessage());
            return sha;
        } finally {
            buffers.release(staging);
        }
    }

    /** The body in whole blocks through {@code staging}, then the file cut to its length; null if direct I/O is unsupported. */
    private String direct(Path file, ByteBuffer[] body, ByteBuffer staging) throws IOException {
        FileChannel channel;
        try {
            channel = FileChannel.open(file, DIRECT);
        } catch (IOException | UnsupportedOperationException e) {
            if (!Files.exists(file) && !(e instanceof UnsupportedOperationException)) {
                throw e; // a real failure to create the file (no space, no permission), not a missing feature
            }
            direct = false;
            LOG.info("chunk files in {} are written through the page cache: direct I/O is not supported there ({})",
                    file.getParent(), e.getMessage());
            return null;
        }
        MessageDigest digest = Sha256.newDigest();
        long length = 0;
        try (channel) {
            int part = 0;
            ByteBuffer source = body.length == 0 ? null : body[0].duplicate();
            while (source != null) {
                staging.clear();
                while (staging.hasRemaining() && source != null) {
                    if (!source.hasRemaining()) {
                        source = ++part < body.length ? body[part].duplicate() : null;
                        continue;
                    }
                    int n = Math.min(staging.remaining(), source.remaining());
                    staging.put(staging.position(), source, source.position(), n);
                    staging.position(staging.position() + n);
                    source.position(source.position() + n);
                }
                int filled = staging.position();
                staging.flip();
                digest.update(staging.duplicate());
                int padded = (int) AlignedBuffers.roundUp(filled, AlignedBuffers.BLOCK);
                staging.limit(padded);
                for (int i = filled; i < padded; i++) {
                    staging.put(i, (byte) 0); // the last block's tail: no stale bytes reach the disk
                }
                while (staging.hasRemaining()) {
                    length += channel.write(staging, length);
                }
                length -= padded - filled;
            }
            if (length % AlignedBuffers.BLOCK != 0) {
                channel.truncate(length);
            }
            forceIfAsked(file, channel);
        }
        return Sha256.hex(digest);
    }

    private String buffered(Path file, ByteBuffer[] body, long length) throws IOException {
        MessageDigest digest = Sha256.newDigest();
        try (FileChannel channel = FileChannel.open(file, BUFFERED)) {
            ByteBuffer[] parts = new ByteBuffer[body.length];
            for (int i = 0; i < body.length; i++) {
                digest.update(body[i].duplicate());
                parts[i] = body[i].duplicate();
            }
            for (long left = length; left > 0; ) {
                left -= channel.write(parts);
            }
            forceIfAsked(file, channel);
        }
        return Sha256.hex(digest);
    }

    private void forceIfAsked(Path file, FileChannel channel) throws IOException {
        if (durability.everyChunk()) {
            durability.syncer().file(file, channel);
        }
    }
}
