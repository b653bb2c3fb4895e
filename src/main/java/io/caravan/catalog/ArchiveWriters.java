package io.caravan.catalog;

import io.caravan.session.RequestRejectedException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;

/**
 * The threads that write answers while they are sent (the archives of downloads, listings): at most
 * {@code threads} answers at once, each on a thread named for it while it is written. One more request
 * is refused at once with 503 {@code busy} (the client retries after {@code Retry-After}): it never
 * queues, and never waits on a request thread. The archives' threads are shared among client addresses: one
 * address takes at most half of them (rounded up), so clients that ask for archives and read nothing, from one
 * address, cannot hold every thread until the stall timeout.
 */
public final class ArchiveWriters {

    private final Executor executor;
    private final Semaphore free;
    private final int threads;
    private final String work;
    private final String setting;
    /** The most answers one client address has written at once. */
    private final int perAddress;
    private final java.util.concurrent.ConcurrentHashMap<java.net.InetAddress, Integer> byAddress =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** {@code threads} archives at once on {@code executor}, which has at least that many threads. */
    public ArchiveWriters(Executor executor, int threads) {
        this(executor, threads, "builds " + threads + " archive" + (threads == 1 ? "" : "s") + " for downloads",
                "caravan.receiver.archive-threads", (threads + 1) / 2);
    }

    /**
     * {@code threads} answers at once on {@code executor}; a refusal says the receiver {@code work} (e.g.
     * "writes 4 listings") at once, as {@code setting} configures.
     */
    public ArchiveWriters(Executor executor, int threads, String work, String setting) {
        this(executor, threads, work, setting, threads);
    }

    /** As above, one client address writing {@code perAddress} answers at once at most. */
    public ArchiveWriters(Executor executor, int threads, String work, String setting, int perAddress) {
        this.perAddress = Math.max(1, perAddress);
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
     * Runs {@code work} for {@code client} (null: not known) on a free thread, named {@code name} meanwhile, then
     * {@code then} once the thread counts as free again (so a client told the archive is complete finds it free);
     * 503 {@code busy} when none is free, or the client's address has its share of them.
     */
    void run(String name, java.net.InetAddress client, Runnable work, Runnable then) {
        if (client != null && byAddress.merge(client, 1, Integer::sum) > perAddress) {
            leave(client);
            throw new RequestRejectedException(503, "busy", "this receiver " + this.work + " at once (" + setting
                    + "), and " + client.getHostAddress() + " has " + perAddress + " of them in progress, as many as one"
                    + " address may: nothing was sent; retry once one of them is done");
        }
        if (!free.tryAcquire()) {
            leave(client);
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
                    leave(client);
                    free.release();
                    then.run();
                }
            });
        } catch (RejectedExecutionException e) {
            leave(client);
            free.release(); // the pool has stopped: the receiver is stopping
            throw busy();
        }
    }

    private void leave(java.net.InetAddress client) {
        if (client != null) {
            byAddress.computeIfPresent(client, (address, held) -> held <= 1 ? null : held - 1);
        }
    }

    private RequestRejectedException busy() {
        return new RequestRejectedException(503, "busy", "this receiver " + work + " at once (" + setting
                + ") and all are in progress; nothing was sent: retry later");
    }
}
