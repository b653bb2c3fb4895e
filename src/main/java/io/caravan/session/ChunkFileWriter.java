package io.caravan.session;

import com.sun.nio.file.ExtendedOpenOption;
import io.caravan.util.AlignedBuffers;
import io.caravan.util.Sha256;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
    // never through a link: a chunk or data file is Caravan's own, in a folder reached without following one
    private static final Set<OpenOption> DIRECT = Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING, ExtendedOpenOption.DIRECT, LinkOption.NOFOLLOW_LINKS);
    private static final Set<OpenOption> BUFFERED = Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS);
    private static final Set<OpenOption> DIRECT_AT = Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            ExtendedOpenOption.DIRECT, LinkOption.NOFOLLOW_LINKS);
    private static final Set<OpenOption> BUFFERED_AT = Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS);

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
        return write(file, -1, body, length, null);
    }

    /** Writes {@code body} to the new file {@code file}; answers its SHA-256, hashing it only if it was not hashed before. */
    String write(Path file, ChunkBody body) throws IOException {
        return write(file, -1, body.buffers(), body.length(), body.knownSha256());
    }

    /**
     * Writes {@code body} into {@code file} (created if missing) from {@code offset}, leaving every
     * other byte of it as it is; answers its SHA-256. Direct where the offset is block-aligned: whole
     * blocks go around the page cache, a last part block through it, so no padding lands beyond the body.
     */
    String writeAt(Path file, long offset, ChunkBody body) throws IOException {
        return write(file, offset, body.buffers(), body.length(), body.knownSha256());
    }

    /** {@code offset} -1: a new file of its own; {@code known} the body's SHA-256 when hashed before, else null. */
    private String write(Path file, long offset, ByteBuffer[] body, long length, String known) throws IOException {
        boolean aligned = offset < 0 || offset % AlignedBuffers.BLOCK == 0;
        ByteBuffer staging = direct && aligned && length > 0 ? buffers.acquire() : null;
        if (staging == null) {
            return buffered(file, offset, body, length, known);
        }
        try {
            String sha = direct(file, offset, body, staging, known);
            return sha != null ? sha : buffered(file, offset, body, length, known);
        } catch (IOException e) {
            // a file system that opens with O_DIRECT but refuses the writes (alignment): if the page
            // cache path works, use it from now on; if it fails too, that failure is the real one
            String sha = buffered(file, offset, body, length, known);
            direct = false;
            LOG.warn("direct I/O failed in {} ({}); chunk files are written through the page cache from now on",
                    file.getParent(), e.getMessage());
            return sha;
        } finally {
            buffers.release(staging);
        }
    }

    /**
     * The body in whole blocks through {@code staging}: in a file of its own the last block padded and the
     * file cut to its length, at an offset the last part block written through the page cache; null if
     * direct I/O is unsupported.
     */
    private String direct(Path file, long offset, ByteBuffer[] body, ByteBuffer staging, String known) throws IOException {
        boolean own = offset < 0;
        FileChannel channel;
        try {
            channel = FileChannel.open(file, own ? DIRECT : DIRECT_AT);
        } catch (IOException | UnsupportedOperationException e) {
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !(e instanceof UnsupportedOperationException)) {
                throw e; // a real failure to create the file (no space, no permission), not a missing feature
            }
            direct = false;
            LOG.info("chunk files in {} are written through the page cache: direct I/O is not supported there ({})",
                    file.getParent(), e.getMessage());
            return null;
        }
        MessageDigest digest = known == null ? Sha256.newDigest() : null;
        long start = own ? 0 : offset;
        long position = start;
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
                if (digest != null) {
                    digest.update(staging.duplicate());
                }
                int whole = own ? (int) AlignedBuffers.roundUp(filled, AlignedBuffers.BLOCK)
                        : filled - filled % AlignedBuffers.BLOCK;
                staging.limit(whole);
                for (int i = filled; i < whole; i++) {
                    staging.put(i, (byte) 0); // the last block's tail: no stale bytes reach the disk
                }
                while (staging.hasRemaining()) {
                    position += channel.write(staging, position);
                }
                if (whole < filled) {
                    position += writeThroughCache(file, staging.limit(filled), position);
                }
                position -= Math.max(0, whole - filled);
            }
            if (own && position % AlignedBuffers.BLOCK != 0) {
                channel.truncate(position);
            }
            forceIfAsked(file, channel);
        }
        return digest == null ? known : Sha256.hex(digest);
    }

    /** The rest of {@code bytes}, at {@code position} of {@code file} through the page cache; how many. */
    private static int writeThroughCache(Path file, ByteBuffer bytes, long position) throws IOException {
        int n = bytes.remaining();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            for (long at = position; bytes.hasRemaining(); ) {
                at += channel.write(bytes, at);
            }
        }
        return n;
    }

    private String buffered(Path file, long offset, ByteBuffer[] body, long length, String known) throws IOException {
        MessageDigest digest = known == null ? Sha256.newDigest() : null;
        try (FileChannel channel = FileChannel.open(file, offset < 0 ? BUFFERED : BUFFERED_AT)) {
            ByteBuffer[] parts = new ByteBuffer[body.length];
            for (int i = 0; i < body.length; i++) {
                if (digest != null) {
                    digest.update(body[i].duplicate());
                }
                parts[i] = body[i].duplicate();
            }
            if (offset < 0) {
                for (long left = length; left > 0; ) {
                    left -= channel.write(parts);
                }
            } else {
                long position = offset;
                for (ByteBuffer part : parts) {
                    while (part.hasRemaining()) {
                        position += channel.write(part, position);
                    }
                }
            }
            forceIfAsked(file, channel);
        }
        return digest == null ? known : Sha256.hex(digest);
    }

    private void forceIfAsked(Path file, FileChannel channel) throws IOException {
        if (durability.everyChunk()) {
            durability.syncer().file(file, channel);
        }
    }
}
