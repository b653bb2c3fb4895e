package io.caravan.unpack;

import io.caravan.util.BulkInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A bounded hand-over of chunk arrays from a producing thread to a reading thread, seen by the
 * reader as one stream. {@link #end()} marks the end; {@link #abort()} makes the reader fail.
 */
final class ChunkQueueInputStream extends BulkInputStream {

    private static final byte[] END = new byte[0];
    private static final byte[] ABORT = new byte[0];

    private final BlockingQueue<byte[]> queue;
    private byte[] current;
    private int position;

    ChunkQueueInputStream(int capacity) {
        queue = new ArrayBlockingQueue<>(capacity);
    }

    /** Hands {@code data} over, waiting while the queue is full unless the reader has failed. */
    void put(byte[] data, Supplier<Throwable> readerFailure) throws InterruptedIOException {
        try {
            while (!queue.offer(data, 100, TimeUnit.MILLISECONDS)) {
                if (readerFailure.get() != null) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while handing over a chunk");
        }
    }

    void end(Supplier<Throwable> readerFailure) throws InterruptedIOException {
        put(END, readerFailure);
    }

    void abort() {
        queue.clear();
        queue.offer(ABORT);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        while (current == null || position == current.length) {
            if (current == END) {
                return -1;
            }
            try {
                current = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for the next chunk");
            }
            position = 0;
            if (current == ABORT) {
                throw new IOException("extraction was aborted");
            }
        }
        int n = Math.min(len, current.length - position);
        System.arraycopy(current, position, b, off, n);
        position += n;
        return n;
    }
}
