package io.caravan.sender;

import java.net.HttpURLConnection;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The connections of a client's requests in flight, so that a stop can end them. The reads and writes of
 * an {@link HttpURLConnection} ignore thread interrupts: only closing its socket
 * ({@link HttpURLConnection#disconnect}) ends them. One disconnect does not always end a request: made
 * before the connection is connected it does nothing, and made while the request's body is written the
 * JDK's stream swallows the failed write; the JDK then opens a new connection to read the answer to a
 * request it never sent there, and waits on it for the read timeout (minutes for an upload).
 *
 * <p>Contract: once {@link #abort} was called, every connection between its {@link #enter} and its
 * {@link #leave} is disconnected at once and again every {@link #REPEAT} until it leaves, whatever its
 * request was doing, so each request in flight fails (with an {@code IOException}, or whatever the JDK
 * throws when a connection is closed under it) within about {@link #REPEAT} of reaching a read or a write.
 * A connection entered after the abort is disconnected the same way, but its caller should not start it.
 * Callers leave in a {@code finally}: a connection never left is disconnected for good. Thread-safe.
 */
final class OpenRequests {

    /** How often the connections of an aborted client that are still open are disconnected again. */
    static final Duration REPEAT = Duration.ofMillis(50);

    private final Set<HttpURLConnection> open = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer;
    private final AtomicBoolean sweepPending = new AtomicBoolean();
    private volatile boolean aborted;

    /** {@code timer} repeats the disconnects after an abort (its tasks must be short: each runs one sweep). */
    OpenRequests(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    /** A request is about to use {@code connection}. */
    void enter(HttpURLConnection connection) {
        open.add(connection);
        if (aborted) {
            sweep();
        }
    }

    /** The request that used {@code connection} has ended, however. */
    void leave(HttpURLConnection connection) {
        open.remove(connection);
    }

    /** Ends the requests in flight, and those that enter from now on; later calls change nothing. */
    void abort() {
        aborted = true;
        sweep();
    }

    /** Disconnects the open connections now and, while some stay open, again after {@link #REPEAT}. */
    private void sweep() {
        for (HttpURLConnection connection : open) {
            try {
                connection.disconnect();
            } catch (RuntimeException e) {
                // not thread-safe: the request's own thread may be changing the connection; the next sweep retries
            }
        }
        if (!open.isEmpty() && sweepPending.compareAndSet(false, true)) {
            timer.schedule(() -> {
                sweepPending.set(false);
                sweep();
            }, REPEAT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
