package io.caravan.session;

import io.caravan.util.Sha256;
import java.nio.ByteBuffer;
import java.util.function.Supplier;

/**
 * A chunk's request body as the HTTP layer holds it: one or more buffers, and optionally a way to
 * keep them alive after the request is answered (a reference count on Netty's buffer). The store
 * keeps a body that the extraction will read next, so it is not read back from disk.
 *
 * @param buffers the bytes, in order; read through duplicates, never consumed
 * @param keeper  extends the buffers' life and answers how to let them go; null when they cannot outlive the request
 */
public record ChunkBody(ByteBuffer[] buffers, Supplier<Runnable> keeper) {

    /** A body that lives only as long as the request. */
    public static ChunkBody of(ByteBuffer... buffers) {
        return new ChunkBody(buffers, null);
    }

    /** The SHA-256 of the bytes (read through duplicates: the buffers are not consumed). */
    public String sha256() {
        java.security.MessageDigest digest = Sha256.newDigest();
        for (ByteBuffer part : buffers) {
            digest.update(part.duplicate());
        }
        return Sha256.hex(digest);
    }

    public long length() {
        long length = 0;
        for (ByteBuffer part : buffers) {
            length += part.remaining();
        }
        return length;
    }
}
