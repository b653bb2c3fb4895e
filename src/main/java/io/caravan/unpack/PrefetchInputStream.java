package io.caravan.unpack;

import io.caravan.util.BulkInputStream;
import io.caravan.util.Failures;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Reads its source on a thread of its own, a few blocks ahead of the reader, so the stages of an
 * unpack (read and verify parts, decompress, extract) run at the same time, as in
 * {@code cat | zstd -d | tar -x}. A failure of the source is thrown to the reader, with its own type,
 * where it happened in the stream. {@link #stop()} ends the thread without interrupting a read, so the
 * source can still be read to its end afterwards (to find which part was damaged).
 */
final class PrefetchInputStream extends BulkInputStream {

    /** A block as read: the array (recycled once consumed) and how many of its bytes were read. */
    private record Block(byte[] data, int length) {
    }

    private static final Block END = new Block(new byte[0], 0);

    private final InputStream source;
    private final BlockingQueue<Block> queue;
    private final BlockingQueue<byte[]> free;
    private final int blockSize;
    private final Thread reader;
    private volatile boolean stopped;
    private volatile Throwable failure;
    /** Whether the reader waits for a block (set before it waits, cleared once it has one). */
    private volatile boolean waiting;
    private Block current;
    private int position;

    PrefetchInputStream(InputStream source, int depth, int blockSize, String name) {
        this.source = source;
        this.queue = new ArrayBlockingQueue<>(depth);
        this.free = new ArrayBlockingQueue<>(depth + 2);
        this.blockSize = blockSize;
        this.reader = new Thread(this::fill, name);
        reader.setDaemon(true);
        reader.start();
    }

    private void fill() {
        try {
            while (!stopped) {
                byte[] block = free.poll();
                block = block != null ? block : new byte[blockSize];
                // one read: hand over what is there now (a receiver extracts what has arrived so far)
                int n = source.read(block, 0, blockSize);
                if (n < 0) {
                    break;
                }
                if (n == 0) {
                    free.offer(block);
                } else if (!offer(new Block(block, n))) {
                    break;
                }
            }
        } catch (Throwable t) {
            failure = t;
        }
        offer(END);
    }

    /** Queues a block, waiting while the queue is full; false once stopped. */
    private boolean offer(Block block) {
        try {
            while (!stopped) {
                if (queue.offer(block, 50, TimeUnit.MILLISECONDS)) {
                    return true;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (current == null || position == current.length()) {
            if (current == END) {
                return -1;
            }
            if (current != null) {
                free.offer(current.data()); // reused by the reading thread: no array per block
            }
            current = take();
            position = 0;
            if (current == END) {
                rethrow();
                return -1;
            }
        }
        int n = Math.min(len, current.length() - position);
        System.arraycopy(current.data(), position, b, off, n);
        position += n;
        return n;
    }

    private Block take() throws InterruptedIOException {
        Block ready = queue.poll();
        if (ready != null) {
            return ready;
        }
        waiting = true;
        try {
            return queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for data");
        } finally {
            waiting = false;
        }
    }

    /**
     * Whether the reader waits for a block and none is queued: everything this stage was given has been read.
     * A reader just handed a block may still count as waiting for a moment: ask twice, a little apart.
     */
    boolean waitsForInput() {
        return waiting && queue.isEmpty();
    }

    private void rethrow() throws IOException {
        Failures.rethrow(failure);
    }

    /** What the source threw, if anything (also when the reader has not reached that point yet). */
    Throwable failure() {
        return failure;
    }

    /** Ends the reading thread after its current read and waits for it; the source stays open. */
    void stop() throws InterruptedIOException {
        stopped = true;
        queue.clear();
        try {
            reader.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while stopping the read-ahead");
        }
    }

    @Override
    public void close() throws IOException {
        stop();
        source.close();
    }
}
