package io.caravan.dedup;

import io.caravan.dedup.ContentIndex.StoredFile;
import io.caravan.dedup.IndexStore.Hashed;
import io.caravan.util.FileIdentity;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Hashes the files waiting in the {@link IndexStore}, oldest first, one at a time: in passes on a
 * scheduler while the receiver is idle (every {@link #BUSY_POLL_MILLIS} it looks again while uploads
 * run), and on the caller's thread when a lookup must not miss; a lookup also waits for the files other
 * receivers sharing the store are hashing. No thread waits while nothing is queued.
 */
final class IndexingQueue {

    /** How often a pass looks again whether uploads stopped. */
    static final long BUSY_POLL_MILLIS = 200;

    private final IndexStore entries;
    private final StoredFileCheck check;
    private final BooleanSupplier idle;
    private final ScheduledExecutorService scheduler;
    /** Held while a file is hashed: one at a time, by a pass or a lookup. */
    private final Object hashing = new Object();
    /** Whether a pass is scheduled or running; guarded by {@code this}. */
    private boolean scheduled;
    private volatile boolean closed;

    IndexingQueue(IndexStore entries, StoredFileCheck check, BooleanSupplier idle, ScheduledExecutorService scheduler) {
        this.entries = entries;
        this.check = check;
        this.idle = idle;
        this.scheduler = scheduler;
    }

    boolean closing() {
        return closed;
    }

    /** Makes sure a pass runs soon if files are waiting. */
    synchronized void wake() {
        if (!scheduled && !closed && entries.hasPending()) {
            schedule(0);
        }
    }

    /** Hashes every waiting file now, on this thread, and waits for those others are hashing. */
    void drain() {
        do {
            while (hashNext()) {
                // the whole queue: the content may be in any of the waiting files
            }
        } while (!closed && entries.awaitOthers());
    }

    private void schedule(long delayMillis) {
        try {
            scheduler.schedule(this::pass, delayMillis, TimeUnit.MILLISECONDS);
            scheduled = true;
        } catch (RejectedExecutionException e) {
            scheduled = false; // the scheduler stopped: the files stay queued in the log for the next start
        }
    }

    private void pass() {
        boolean hashed = false;
        try {
            hashed = idle.getAsBoolean() && hashNext();
        } finally {
            synchronized (this) {
                scheduled = false;
                if (!closed && entries.hasPending()) {
                    schedule(hashed ? 0 : BUSY_POLL_MILLIS);
                }
            }
        }
    }

    /** Hashes the oldest waiting file (dropped if it changed or vanished); false when none could be taken. */
    boolean hashNext() {
        synchronized (hashing) {
            return !closed && entries.hashNext(this::hash);
        }
    }

    private Hashed hash(StoredFile next) {
        long seen = System.currentTimeMillis();
        Optional<FileIdentity> before = check.identity(next);
        String sha = next.identity().equals(before.orElse(null)) ? check.hash(check.resolved(next)) : null;
        boolean unchanged = sha != null && next.identity().equals(check.identity(next).orElse(null));
        if (closed) {
            return Hashed.GAVE_UP;
        }
        return Hashed.as(unchanged ? new StoredFile(sha, next.path(), next.identity(), seen) : null);
    }

    /** Stops hashing: a hash in progress gives up and its file stays queued; waits for it. */
    void close() {
        synchronized (this) {
            closed = true;
        }
        synchronized (hashing) {
            // the file being hashed, if any, gave up
        }
    }
}
