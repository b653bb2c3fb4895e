package io.caravan.receiver;

import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * A chunk handed to a session's extraction straight from its request body, not stored: the upload
 * waits while the extraction reads it ({@link ExtractionState#awaitCovered}). Its fields are guarded
 * by the {@link ExtractionState}'s monitor. The request's buffers stay valid until the upload answers,
 * and the upload answers only once the feed has let go of them ({@link #done}), so nothing reads them
 * after they are freed.
 */
final class DirectChunk {

    final int index;
    final String sha256;
    final long size;
    /** The generation of the extraction it was handed to. */
    final int gen;
    private final ByteBuffer[] buffers;
    /** Where it ends in the session's stream, once the feed opened it; -1 before. */
    long end = -1;
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

    /**
     * Its bytes for the feed, which starts reading it at {@code start} of the stream; with the state's
     * monitor held. Closing the stream lets go of the buffers.
     */
    InputStream open(long start, ExtractionState state) {
        opened = true;
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
