package io.caravan.catalog;

import io.caravan.session.RequestRejectedException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;

/**
 * The threads that write answers while they are sent (the archives of downloads, listings): at most
 * {@code threads} answers at once, each on a thread named for it while it is written. One more request
 * is refused at once with 503 {@code busy} (the client retries after {@code Retry-After}): it never
 * queues, and never waits on a request thread.
 */
public final class ArchiveWriters {

    private final Executor executor;
    private final Semaphore free;
    private final int threads;
    private final String work;
    private final String setting;

    /** {@code threads} archives at once on {@code executor}, which has at least that many threads. */
    public ArchiveWriters(Executor executor, int threads) {
        this(executor, threads, "builds " + threads + " archive" + (threads == 1 ? "" : "s") + " for downloads",
                "caravan.receiver.archive-threads");
    }

    /**
     * {@code threads} answers at once on {@code executor}; a refusal says the receiver {@code work} (e.g.
     * "writes 4 listings") at once, as {@code setting} configures.
     */
    public ArchiveWriters(Executor executor, int threads, String work, String setting) {
        this.executor = executor;
        this.free = new Semaphore(threads);
        this.threads = threads;
        this.work = work;
        this.setting = setting;
    }

    /** How many answers are written at once, at most. */
    public int threads() {
        return threads;
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
        return new RequestRejectedException(503, "busy", "this receiver " + work + " at once (" + setting
                + ") and all are in progress; nothing was sent: retry later");
    }
}
