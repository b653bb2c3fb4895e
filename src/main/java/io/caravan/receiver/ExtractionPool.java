package io.caravan.receiver;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The threads archive extractions run on: a bounded executor with an unbounded queue, so a session
 * whose extraction cannot start yet waits in the queue (its chunks wait on disk) and never blocks the
 * request that stored them. Knows whether extractions are waiting for a thread, so one that waits for
 * a chunk can give its thread up to them ({@link ChunkFeed}).
 */
final class ExtractionPool {

    /** A submitted extraction that has not started yet. */
    interface Queued {
        /** Takes it off the queue; false when it started already (or was taken off before). */
        boolean cancel();
    }

    private final Executor executor;
    private final Set<Object> waiting = ConcurrentHashMap.newKeySet();

    ExtractionPool(Executor executor) {
        this.executor = executor;
    }

    /**
     * Queues {@code task}; it runs on a pool thread unless cancelled first.
     *
     * @throws RejectedExecutionException when the pool was shut down (the receiver is stopping)
     */
    Queued submit(Runnable task) {
        Object ticket = new Object();
        waiting.add(ticket);
        try {
            executor.execute(() -> {
                if (waiting.remove(ticket)) {
                    task.run();
                }
            });
        } catch (RejectedExecutionException e) {
            waiting.remove(ticket);
            throw e;
        }
        return () -> waiting.remove(ticket);
    }

    /** Whether some extraction is waiting for a thread. */
    boolean othersWaiting() {
        return !waiting.isEmpty();
    }
}
