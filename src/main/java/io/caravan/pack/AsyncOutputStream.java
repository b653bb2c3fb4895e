package io.caravan.pack;

import io.caravan.util.Failures;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Hands writes to another thread, which writes them to the delegate in order, so the work behind
 * the delegate (hashing, file writes) overlaps with the work in front of it (reading, tar,
 * compression). Writes are gathered into blocks of {@code blockSize}, recycled once written; at most
 * {@code depth} blocks wait, so memory stays bounded. A failure of the delegate surfaces on the next
 * write or on close.
 */
final class AsyncOutputStream extends OutputStream {

    private static final byte[] END = new byte[0];

    private final OutputStream delegate;
    private final BlockingQueue<byte[]> queue;
    private final BlockingQueue<byte[]> free;
    private final Thread writer;
    private final int blockSize;
    private byte[] block;
    private int filled;
    private volatile Throwable failure;
    private boolean closed;

    AsyncOutputStream(OutputStream delegate, int depth, int blockSize, String name) {
        this.delegate = delegate;
        this.queue = new ArrayBlockingQueue<>(depth);
        this.free = new ArrayBlockingQueue<>(depth + 2);
        this.blockSize = blockSize;
        this.block = new byte[blockSize];
        this.writer = new Thread(this::drain, name);
        writer.setDaemon(true);
        writer.start();
    }

    private void drain() {
        try {
            for (byte[] next = queue.take(); next != END; next = queue.take()) {
                if (failure == null) {
                    delegate.write(next);
                }
                if (next.length == blockSize) {
                    free.offer(next);
                }
            }
        } catch (Throwable t) {
            failure = t;
            queue.clear();
        }
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            int n = Math.min(len, blockSize - filled);
            System.arraycopy(b, off, block, filled, n);
            filled += n;
            off += n;
            len -= n;
            if (filled == blockSize) {
                handOver(block);
                byte[] recycled = free.poll();
                block = recycled != null ? recycled : new byte[blockSize];
                filled = 0;
            }
        }
    }

    private void handOver(byte[] data) throws IOException {
        rethrow();
        try {
            queue.put(data);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while handing over packed data");
        }
    }

    /** Writes what is pending, waits for the writer, closes the delegate; rethrows the writer's failure. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (filled > 0) {
                handOver(Arrays.copyOf(block, filled));
            }
            handOver(END);
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while finishing packed data");
        } finally {
            if (writer.isAlive()) {
                writer.interrupt();
            }
        }
        rethrow();
        delegate.close();
    }

    private void rethrow() throws IOException {
        Failures.rethrow(failure);
    }
}
