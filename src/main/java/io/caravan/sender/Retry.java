package io.caravan.sender;

import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Exponential backoff for calls to the receiver: retries what {@link ShipException#retryable()} allows. */
public record Retry(int attempts, Duration firstDelay, Duration maxDelay) {

    private static final Logger LOG = LoggerFactory.getLogger(Retry.class);

    public static final Retry DEFAULT = new Retry(8, Duration.ofMillis(500), Duration.ofSeconds(30));

    public <T> T call(String what, Supplier<T> action) {
        long delay = firstDelay.toMillis();
        for (int attempt = 1; ; attempt++) {
            try {
                return action.get();
            } catch (ShipException e) {
                if (!e.retryable() || attempt >= attempts) {
                    throw attempt > 1 ? new ShipException(e.status(), e.error(), e.references(),
                            e.getMessage() + " (after " + attempt + " attempts)", e) : e;
                }
                LOG.warn("{} failed (attempt {}/{}): {}; retrying in {} ms", what, attempt, attempts, e.getMessage(), delay);
                sleep(delay);
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

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ShipException(0, "interrupted while waiting to retry", e);
        }
    }
}
