package io.caravan.receiver;

import java.util.concurrent.locks.ReentrantLock;

/**
 * Locks by a parcel's published name, striped: two finishes that publish the same name take the same lock,
 * so each one's swap into place and its catalog record happen together, and the catalog describes whichever
 * publish landed last. Different names may share a stripe (they then wait for each other, nothing more).
 * Within one process; nodes sharing an inbox are not ordered by it.
 */
final class NameLocks {

    private static final int STRIPES = 64;
    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];

    NameLocks() {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    /** A hold for one finish: {@link #take} before its publish, {@link #release} once it is recorded. */
    Hold hold() {
        return new Hold();
    }

    /** The name lock one finish holds from its publish to its record, if it took one. */
    final class Hold implements AutoCloseable {
        private ReentrantLock held;

        /** Waits for the lock of {@code name} and holds it until {@link #close}; at most one name per hold. */
        void take(String name) {
            if (held != null) {
                throw new IllegalStateException("a finish publishes one name");
            }
            ReentrantLock lock = stripes[Math.floorMod(name.hashCode(), STRIPES)];
            lock.lock();
            held = lock;
        }

        /** Lets go of the lock taken, if any. */
        @Override
        public void close() {
            if (held != null) {
                held.unlock();
                held = null;
            }
        }
    }
}
