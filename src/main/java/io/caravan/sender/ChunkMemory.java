package io.caravan.sender;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Heap for chunks in memory, shared by the parcels a process packs at once (the workers of
 * {@code caravan sync}): before it packs, a parcel reserves what its chunks may keep in memory
 * ({@link SenderSettings#chunkMemory}) and waits while the others hold the budget, so more workers
 * mean more waiting, never an {@code OutOfMemoryError}. Reservations are served in the order they
 * were asked for: a large parcel waiting is not overtaken for ever by small ones. A reservation
 * larger than the whole budget takes the whole budget ({@link SenderSettings#requireMemory}
 * refuses settings for which that is not enough). Thread-safe.
 */
public final class ChunkMemory {

    /** The budget of this JVM's parcels: half its heap, the rest is for everything else (scans, listings, HTTP). */
    public static final ChunkMemory HEAP = ofHeap(Runtime.getRuntime().maxMemory());

    private final long budget;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** The reservations waiting, first come first served. */
    private final Deque<Object> waiting = new ArrayDeque<>();
    private long free;

    public ChunkMemory(long budget) {
        if (budget < 1) {
            throw new IllegalArgumentException("a chunk memory budget must be positive, was " + budget);
        }
        this.budget = budget;
        this.free = budget;
    }

    /** Half of {@code maxHeap}. */
    public static ChunkMemory ofHeap(long maxHeap) {
        return new ChunkMemory(Math.max(1, maxHeap / 2));
    }

    /** The bytes shared. */
    public long budget() {
        return budget;
    }

    /** How many parcels that each reserve {@code bytes} fit in the budget at once (at least one). */
    public int atOnce(long bytes) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, budget / Math.max(1, bytes)));
    }

    /**
     * Reserves {@code bytes} (at most the whole budget), waiting until every earlier reservation was
     * served and the budget has them; a raised {@code stop} ends the wait with a
     * {@link TransferStoppedException} for {@code what}. Closing the reservation gives the bytes back.
     */
    public Reservation reserve(long bytes, StopSignal stop, String what) throws InterruptedException {
        long taken = Math.min(budget, Math.max(1, bytes));
        Object turn = new Object();
        lock.lock();
        try {
            waiting.add(turn);
            try {
                while (waiting.peek() != turn || free < taken) {
                    stop.check(what);
                    changed.await(100, TimeUnit.MILLISECONDS);
                }
            } finally {
                waiting.remove(turn);
                changed.signalAll();
            }
            free -= taken;
            return new Reservation(taken);
        } finally {
            lock.unlock();
        }
    }

    /** The bytes not reserved now. */
    public long free() {
        lock.lock();
        try {
            return free;
        } finally {
            lock.unlock();
        }
    }

    /** Bytes held by a parcel until it is closed (once; closing it again does nothing). */
    public final class Reservation implements AutoCloseable {
        private long held;

        private Reservation(long held) {
            this.held = held;
        }

        @Override
        public void close() {
            lock.lock();
            try {
                free += held;
                held = 0;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }
}
