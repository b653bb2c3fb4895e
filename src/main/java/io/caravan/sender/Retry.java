package io.caravan.sender;

import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exponential backoff for calls to the receiver: retries what {@link ShipException#retryable()}
 * allows, up to {@code attempts}. When nothing answers at the receiver's address
 * ({@link NoReceiverException}), {@code receiverWait} (if set) bounds the waiting instead: a command
 * line gives up after a few seconds, a service keeps waiting. A raised {@link StopSignal} ends the
 * retrying at once with a {@link TransferStoppedException}.
 */
public record Retry(int attempts, Duration firstDelay, Duration maxDelay, Duration receiverWait, StopSignal stop) {

    private static final Logger LOG = LoggerFactory.getLogger(Retry.class);

    /** About a minute of retries for a receiver that answers badly; three seconds for one that is not there. */
    public static final Retry DEFAULT = new Retry(8, Duration.ofMillis(500), Duration.ofSeconds(30), Duration.ofSeconds(3),
            StopSignal.NONE);

    /** Retries without a separate bound for a missing receiver, and without a stop signal. */
    public Retry(int attempts, Duration firstDelay, Duration maxDelay) {
        this(attempts, firstDelay, maxDelay, null, StopSignal.NONE);
    }

    /** The same retries, ended at once when {@code signal} is raised. */
    public Retry stoppedBy(StopSignal signal) {
        return new Retry(attempts, firstDelay, maxDelay, receiverWait, signal);
    }

    public <T> T call(String what, Supplier<T> action) {
        long delay = firstDelay.toMillis();
        long firstMissing = -1;
        for (int attempt = 1; ; attempt++) {
            stop.check(what);
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
                if (!e.retryable() || attempt >= attempts || waitLeft <= 0) {
                    throw attempt > 1 ? new ShipException(e.status(), e.error(), e.references(),
                            e.getMessage() + " (after " + attempt + " attempts)", e) : e;
                }
                if (missing) {
                    LOG.warn("{}: {}; waiting for it, next attempt in {} ms ({}/{})", what, e.getMessage(),
                            Math.min(delay, waitLeft), attempt, attempts);
                } else {
                    LOG.warn("{} failed (attempt {}/{}): {}; retrying in {} ms", what, attempt, attempts, e.getMessage(), delay);
                }
                sleep(Math.min(delay, waitLeft));
                delay = Math.min(delay * 2, maxDelay.toMillis());
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
