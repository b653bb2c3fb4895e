package io.caravan.sender;

import io.caravan.pack.Chunk;
import io.caravan.pack.LinkWaits;
import io.caravan.pack.PackIterator;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Uploads a parcel's chunks as they are packed, at most {@code parallel} at once on {@code pool},
 * each through {@link ParcelUpload#put} (so with the upload's retries and resume). The first failure
 * stops the packing and is thrown once the chunks in flight have ended; a raised {@link StopSignal}
 * ends the wait at once. Shared by {@code caravan send}, {@code caravan sync} and a reference re-send
 * of {@code caravan run}.
 */
public final class ChunkShipping {

    private final Executor pool;
    private final int parallel;
    private final StopSignal stop;

    public ChunkShipping(Executor pool, int parallel, StopSignal stop) {
        this.pool = pool;
        this.parallel = parallel;
        this.stop = stop;
    }

    /** Uploads every chunk of {@code chunks}; returns how many there were. The caller finishes the upload. */
    public int ship(ParcelUpload upload, PackIterator chunks) throws InterruptedException {
        return ship("the upload of '" + upload.name() + "' in session " + upload.sessionId(), upload.hooks().linkWaits(),
                upload::put, chunks);
    }

    /**
     * Hands every chunk of {@code chunks} to {@code put} ({@code what} names the upload in a stop),
     * noting in {@code waits} whether the chunks wait for the link or the link for the chunks.
     * Returns how many chunks there were.
     */
    int ship(String what, LinkWaits waits, Consumer<Chunk> put, PackIterator chunks) throws InterruptedException {
        waits.now(LinkWaits.Wait.NONE); // the packer's level follows these waits from now on
        try {
            return shipNoting(what, waits, put, chunks);
        } finally {
            waits.now(LinkWaits.Wait.NONE);
        }
    }

    private int shipNoting(String what, LinkWaits waits, Consumer<Chunk> put, PackIterator chunks) throws InterruptedException {
        Semaphore slots = new Semaphore(parallel);
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        int count = 0;
        // The wait for a chunk (next() looks one chunk ahead) is the link waiting for the packer; a
        // wait for a slot, or an upload run right here (a one-at-a-time pool), the chunk waiting for
        // the link. Neither is noted until the second chunk is in hand: waiting for the first two is
        // the start of any stream (the packer fills its first chunk and the hand-off queue), whatever
        // bounds it later.
        int warmUp = 1;
        while (chunks.hasNext() && failure.get() == null) {
            Chunk chunk = chunks.next();
            count++;
            waits.now(count > warmUp ? LinkWaits.Wait.LINK : LinkWaits.Wait.NONE);
            acquire(slots, 1, what);
            pool.execute(() -> {
                try {
                    put.accept(chunk);
                    chunks.recycle(chunk);
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                } finally {
                    slots.release();
                }
            });
            waits.now(count > warmUp ? LinkWaits.Wait.PACKER : LinkWaits.Wait.NONE);
        }
        acquire(slots, parallel, what);
        stop.check(what);
        if (failure.get() != null) {
            throw failure.get();
        }
        return count;
    }

    /** Waits for free upload slots; a raised stop ends the wait (the requests in flight are being aborted). */
    private void acquire(Semaphore slots, int permits, String what) throws InterruptedException {
        while (!slots.tryAcquire(permits, 100, TimeUnit.MILLISECONDS)) {
            stop.check(what);
        }
    }
}
