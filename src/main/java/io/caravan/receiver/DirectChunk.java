package io.caravan.receiver;

import io.caravan.unpack.ExtractionCheckpoint;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * A chunk handed to a session's extraction straight from its request body, not stored: the upload
 * waits while the extraction reads it ({@link ExtractionState#awaitConsumed}). Its fields are guarded
 * by the {@link ExtractionState}'s monitor. The request's buffers stay valid until the upload answers,
 * and the upload answers only once the feed has let go of them ({@link #done}), so nothing reads them
 * after they are freed. A checkpoint the extraction reaches inside it is held here ({@link #inside}),
 * not written, until the upload has kept the chunk's tail after it: a checkpoint on disk never names
 * bytes that are kept nowhere.
 */
final class DirectChunk {

    final int index;
    final String sha256;
    final long size;
    /** The generation of the extraction it was handed to. */
    final int gen;
    private final ByteBuffer[] buffers;
    /** Where it starts in the session's stream, once the feed opened it; -1 before. */
    long start = -1;
    /** Where it ends in the session's stream, once the feed opened it; -1 before. */
    long end = -1;
    /** The last checkpoint the extraction reached inside it (past its first byte), held until the upload keeps its tail. */
    ExtractionCheckpoint inside;
    /** Whether the upload has decided how the chunk is kept: checkpoints reached inside it later are not held. */
    boolean settled;
    /** Whether the feed opened it. */
    boolean opened;
    /** Whether the feed let go of its buffers (read them whole, or stopped). */
    boolean done;

    DirectChunk(int index, String sha256, long size, int gen, ByteBuffer[] buffers) {
        this.index = index;
        this.sha256 = sha256;
        this.size = size;
        this.gen = gen;
        this.buffers = buffers;
    }

    /** Its bytes from {@code from} on (views: the buffers stay as they are). */
    ByteBuffer[] from(long from) {
        java.util.List<ByteBuffer> tail = new java.util.ArrayList<>();
        long skip = from;
        for (ByteBuffer buffer : buffers) {
            ByteBuffer view = buffer.duplicate();
            if (skip >= view.remaining()) {
                skip -= view.remaining();
                continue;
            }
            view.position(view.position() + (int) skip);
            skip = 0;
            tail.add(view);
        }
        return tail.toArray(ByteBuffer[]::new);
    }

    /**
     * Its bytes for the feed, which starts reading it at {@code start} of the stream; with the state's
     * monitor held. Closing the stream lets go of the buffers.
     */
    InputStream open(long start, ExtractionState state) {
        opened = true;
        this.start = start;
        end = start + size;
        ByteBuffer[] views = new ByteBuffer[buffers.length];
        for (int i = 0; i < buffers.length; i++) {
            views[i] = buffers[i].duplicate();
        }
        return new InputStream() {
            private int part;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                while (part < views.length && !views[part].hasRemaining()) {
                    part++;
                }
                if (part == views.length) {
                    return -1;
                }
                int n = Math.min(len, views[part].remaining());
                views[part].get(b, off, n);
                return n;
            }

            @Override
            public void close() {
                synchronized (state) {
                    done = true;
                    state.notifyAll();
                }
            }
        };
    }
}
