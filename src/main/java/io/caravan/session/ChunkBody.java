package io.caravan.session;

import io.caravan.util.Sha256;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.function.Supplier;

/**
 * A chunk's request body as the HTTP layer holds it: one or more buffers, and optionally a way to
 * keep them alive after the request is answered (a reference count on Netty's buffer). The store
 * keeps a body that the extraction will read next, so it is not read back from disk.
 * <p>
 * The bytes never change once received: their SHA-256 is computed once, by the first that asks
 * ({@link #sha256()}), and a store that writes a body already hashed does not hash it again
 * ({@link #knownSha256()}).
 */
public final class ChunkBody {

    private final ByteBuffer[] buffers;
    private final Supplier<Runnable> keeper;
    private volatile String sha256;

    /**
     * @param buffers the bytes, in order; read through duplicates, never consumed
     * @param keeper  extends the buffers' life and answers how to let them go; null when they cannot outlive the request
     */
    public ChunkBody(ByteBuffer[] buffers, Supplier<Runnable> keeper) {
        this.buffers = buffers;
        this.keeper = keeper;
    }

    /** A body that lives only as long as the request. */
    public static ChunkBody of(ByteBuffer... buffers) {
        return new ChunkBody(buffers, null);
    }

    /** The bytes, in order; read through duplicates, never consumed. */
    public ByteBuffer[] buffers() {
        return buffers;
    }

    /** Extends the buffers' life and answers how to let them go; null when they cannot outlive the request. */
    public Supplier<Runnable> keeper() {
        return keeper;
    }

    /** The SHA-256 of the bytes (read through duplicates: the buffers are not consumed), computed once. */
    public String sha256() {
        String known = sha256;
        if (known == null) {
            MessageDigest digest = Sha256.newDigest();
            for (ByteBuffer part : buffers) {
                digest.update(part.duplicate());
            }
            known = Sha256.hex(digest);
            sha256 = known;
        }
        return known;
    }

    /** The SHA-256 if {@link #sha256()} computed it already, else null (a writer then hashes as it writes). */
    public String knownSha256() {
        return sha256;
    }

    public long length() {
        long length = 0;
        for (ByteBuffer part : buffers) {
            length += part.remaining();
        }
        return length;
    }
}
