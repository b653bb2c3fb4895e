package io.caravan.catalog;

import io.caravan.session.RequestRejectedException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;

/**
 * The threads that build the archives of downloads: at most {@code threads} archives at once, each
 * on a thread named for it while it is built. One more download is refused at once with 503
 * {@code busy} (the client retries after {@code Retry-After}): it never queues, and never waits on a
 * request thread.
 */
public final class ArchiveWriters {

    private final Executor executor;
    private final Semaphore free;
    private final int threads;

    /** {@code threads} archives at once on {@code executor}, which has at least that many threads. */
    public ArchiveWriters(Executor executor, int threads) {
        this.executor = executor;
        this.free = new Semaphore(threads);
        this.threads = threads;
    }

    /**
     * Runs {@code work} on a free thread, named {@code name} meanwhile, then {@code then} once the thread
     * counts as free again (so a client told the archive is complete finds it free); 503 {@code busy}
     * when none is free.
     */
    void run(String name, Runnable work, Runnable then) {
        if (!free.tryAcquire()) {
            throw busy();
        }
        try {
            executor.execute(() -> {
                Thread thread = Thread.currentThread();
                String poolName = thread.getName();
                thread.setName(name);
                try {
                    work.run();
                } finally {
                    thread.setName(poolName);
                    free.release();
                    then.run();
                }
            });
        } catch (RejectedExecutionException e) {
            free.release(); // the pool has stopped: the receiver is stopping
            throw busy();
        }
    }

    private RequestRejectedException busy() {
        return new RequestRejectedException(503, "busy", "this receiver builds " + threads + " archive"
                + (threads == 1 ? "" : "s") + " for downloads at once (caravan.receiver.archive-threads) and all are in"
                + " progress; nothing was sent: retry later");
    }
}
