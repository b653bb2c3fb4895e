package io.caravan.pack;

import io.caravan.util.Sha256;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a byte stream into chunks of exactly {@code chunkSize} bytes (the last one shorter) and
 * hashes each chunk and the whole stream with SHA-256 while writing. A chunk is opened on its
 * first byte, so a stream that ends on a boundary has no empty trailing chunk.
 */
public final class ChunkingOutputStream extends OutputStream {

    private final long chunkSize;
    private final ChunkTarget target;
    /** Null when the caller does not want the whole stream's SHA-256 (one pass of SHA-256 less per byte). */
    private final MessageDigest whole;
    private final MessageDigest part = Sha256.newDigest();
    private final List<ChunkInfo> chunks = new ArrayList<>();
    private OutputStream current;
    private long currentSize;
    private long totalSize;
    private String totalSha256;
    private boolean closed;
    private volatile boolean abandoned;

    public ChunkingOutputStream(long chunkSize, ChunkTarget target) {
        this(chunkSize, target, true);
    }

    /** With {@code hashWhole} false only the chunks are hashed, and {@link #totalSha256()} is null. */
    public ChunkingOutputStream(long chunkSize, ChunkTarget target, boolean hashWhole) {
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunk size must be at least 1 byte, was " + chunkSize);
        }
        this.chunkSize = chunkSize;
        this.target = target;
        this.whole = hashWhole ? Sha256.newDigest() : null;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (closed || abandoned) {
            throw new IOException(abandoned ? "packing failed; the chunk stream was abandoned" : "chunk stream already closed");
        }
        while (len > 0) {
            if (current == null) {
                current = target.open(chunks.size());
                currentSize = 0;
            }
            int n = (int) Math.min(len, chunkSize - currentSize);
            current.write(b, off, n);
            part.update(b, off, n);
            if (whole != null) {
                whole.update(b, off, n);
            }
            currentSize += n;
            totalSize += n;
            off += n;
            len -= n;
            if (currentSize == chunkSize) {
                completeChunk();
            }
        }
    }

    private void completeChunk() throws IOException {
        current.close();
        current = null;
        ChunkInfo info = new ChunkInfo(chunks.size(), currentSize, Sha256.hex(part));
        chunks.add(info);
        target.completed(info);
    }

    /**
     * Marks the stream as failed: later writes throw, and {@link #close()} closes the unfinished
     * chunk's stream without completing it (its target removes what was written).
     */
    public void abandon() {
        abandoned = true;
    }

    /** Completes the last chunk, or drops it after {@link #abandon()}. Idempotent. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (abandoned) {
            if (current != null) {
                current.close();
                current = null;
            }
            return;
        }
        if (current != null) {
            completeChunk();
        }
        totalSha256 = whole == null ? null : Sha256.hex(whole);
        target.finished(null);
    }

    public List<ChunkInfo> chunks() {
        return List.copyOf(chunks);
    }

    public long totalSize() {
        return totalSize;
    }

    /** SHA-256 of the whole stream; available after {@link #close()}. */
    public String totalSha256() {
        if (!closed) {
            throw new IllegalStateException("the stream is still open");
        }
        return totalSha256;
    }
}
