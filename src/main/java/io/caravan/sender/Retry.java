package io.caravan.sender;

import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exponential backoff for calls to the receiver: retries what {@link ShipException#retryable()}
 * allows, up to {@code attempts}. When nothing answers at the receiver's address
 * ({@link NoReceiverException}), {@code receiverAttempts} and {@code receiverWait} (if set) bound the
 * waiting instead: a command line gives up after a few seconds, a service keeps waiting. Every retry
 * budget of the sender is defined here ({@link #DEFAULT}, {@link #MIRROR}, {@link #service}). A raised {@link StopSignal} ends the
 * retrying at once with a {@link TransferStoppedException}.
 */
public record Retry(int attempts, Duration firstDelay, Duration maxDelay, Duration receiverWait, StopSignal stop,
                    int receiverAttempts) {

    private static final Logger LOG = LoggerFactory.getLogger(Retry.class);
    /** The attempt the current thread makes of a call ("1/8"), for messages about it; null outside a call. */
    private static final ThreadLocal<String> ATTEMPT = new ThreadLocal<>();

    /** The attempt of the call this thread is making ("attempt 1/8"), or null outside {@link #call}. */
    static String currentAttempt() {
        String attempt = ATTEMPT.get();
        return attempt == null ? null : "attempt " + attempt;
    }

    /** About a minute of retries for a receiver that answers badly; three seconds for one that is not there. */
    public static final Retry DEFAULT = new Retry(8, Duration.ofMillis(500), Duration.ofSeconds(30), Duration.ofSeconds(3),
            StopSignal.NONE);

    /** Short retries of a mirror's parcels: a lost receiver fails the pass quickly and the watcher re-diffs after a backoff. */
    public static final Retry MIRROR = new Retry(4, Duration.ofMillis(250), Duration.ofSeconds(2));

    /**
     * A service's retries ({@code caravan run}): {@code retries} more attempts of a call the receiver
     * answered badly (caravan.sender.retries), {@code receiverAttempts} attempts while nothing answers
     * at its address (caravan.sender.receiver-wait-attempts), 0.5 s doubling up to 30 s between them.
     */
    public static Retry service(int retries, int receiverAttempts) {
        return new Retry(retries + 1, Duration.ofMillis(500), Duration.ofSeconds(30), null, StopSignal.NONE, receiverAttempts);
    }

    /** Retries with the same bound for a missing receiver as for any other retryable failure. */
    public Retry(int attempts, Duration firstDelay, Duration maxDelay, Duration receiverWait, StopSignal stop) {
        this(attempts, firstDelay, maxDelay, receiverWait, stop, attempts);
    }

    /** Retries without a separate bound for a missing receiver, and without a stop signal. */
    public Retry(int attempts, Duration firstDelay, Duration maxDelay) {
        this(attempts, firstDelay, maxDelay, null, StopSignal.NONE);
    }

    /** The same retries, ended at once when {@code signal} is raised. */
    public Retry stoppedBy(StopSignal signal) {
        return new Retry(attempts, firstDelay, maxDelay, receiverWait, signal, receiverAttempts);
    }

    public <T> T call(String what, Supplier<T> action) {
        long delay = firstDelay.toMillis();
        long firstMissing = -1;
        for (int attempt = 1; ; attempt++) {
            stop.check(what);
            String outer = ATTEMPT.get();
            ATTEMPT.set(attempt + "/" + attempts);
            try {
                return action.get();
            } catch (ShipException e) {
                stop.check(what);
                boolean missing = e instanceof NoReceiverException;
                if (missing && firstMissing < 0) {
                    firstMissing = System.nanoTime();
                }
                long waitLeft = missing && receiverWait != null
                        ? (receiverWait.toNanos() - (System.nanoTime() - firstMissing)) / 1_000_000 : Long.MAX_VALUE;
                int limit = missing ? receiverAttempts : attempts;
                if (!e.retryable() || attempt >= limit || waitLeft <= 0) {
                    throw attempt > 1 ? e.afterAttempts(attempt) : e;
                }
                if (missing) {
                    LOG.warn("{}: {}; waiting for it, next attempt in {} ms ({}/{})", what, e.getMessage(),
                            Math.min(delay, waitLeft), attempt, limit);
                } else {
                    LOG.warn("{} failed (attempt {}/{}): {}; retrying in {} ms", what, attempt, attempts, e.getMessage(), delay);
                }
                sleep(Math.min(delay, waitLeft));
                delay = Math.min(delay * 2, maxDelay.toMillis());
            } finally {
                ATTEMPT.set(outer);
            }
        }
    }

    public void run(String what, Runnable action) {
        call(what, () -> {
            action.run();
            return null;
        });
    }

    private void sleep(long millis) {
        try {
            stop.await(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ShipException(0, "interrupted while waiting to retry", e);
        }
    }
}
