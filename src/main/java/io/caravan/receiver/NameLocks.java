package io.caravan.receiver;

import io.caravan.session.SessionStore;
import java.io.IOException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Locks by a parcel's published name, striped: two finishes that publish the same name take the same lock,
 * so each one's swap into place and its catalog record happen together, and the catalog describes whichever
 * publish landed last. Different names may share a stripe (they then wait for each other, nothing more).
 * Within one process; a hold takes the store's lock of the name first ({@link SessionStore.NameLock}), which orders
 * the nodes sharing an inbox.
 */
final class NameLocks {

    private static final int STRIPES = 64;
    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];

    NameLocks() {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    /**
     * A hold for one finish: {@link Hold#take} before its publish, {@link Hold#close} once it is recorded;
     * {@code shared} is the store's lock of the name, held until the finish's work under the store's lock ends.
     */
    Hold hold(SessionStore.NameLock shared) {
        return new Hold(shared);
    }

    /** The name lock one finish holds from its publish to its record, if it took one. */
    final class Hold implements AutoCloseable {
        private final SessionStore.NameLock shared;
        private ReentrantLock held;

        private Hold(SessionStore.NameLock shared) {
            this.shared = shared;
        }

        /**
         * Waits for the store's lock of {@code name} (bounded, and given up when the finish's client hangs up), then
         * for its lock in this process, and holds the latter until {@link #close}; at most one name per hold. In
         * that order, a finish holding a stripe waits for nothing more: a finish whose name shares its stripe waits
         * for one swap into place and one catalog record at most, never for another node's finish.
         */
        void take(String name) throws IOException {
            if (held != null) {
                throw new IllegalStateException("a finish publishes one name");
            }
            shared.take(name);
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
