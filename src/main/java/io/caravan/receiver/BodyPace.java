package io.caravan.receiver;

import io.caravan.util.DirectMemoryBudget;
import java.time.Duration;
import java.util.Locale;

/**
 * The pace an upload body reserved in the receiver's {@link DirectMemoryBudget} must keep while the budget
 * is pressed: more than half of it held, and a reservation refused within the last {@link #WAITING} (an
 * upload or an answer waits for room; senders retry within 30 s). Then a body must arrive at least at its declared length
 * divided by {@code time} ({@code caravan.receiver.busy-body-time}), averaged from its head, so that it
 * arrives whole within {@code time}; one that falls behind, judged once it has had {@link #GRACE} of reading
 * (a link's start), is cut and its memory goes to the uploads waiting. A client trickling just over
 * {@code caravan.receiver.min-body-rate} so holds its reservation for hours only while nobody else needs the
 * memory. With the default minute, a 16 MiB body needs 280 kB/s (2.2 Mbit/s), an 8 MiB one half that.
 */
final class BodyPace {

    /** How long after a refused reservation the budget counts as pressed. */
    static final Duration WAITING = Duration.ofSeconds(60);
    /** Reading time a body has before its pace is judged. */
    static final Duration GRACE = Duration.ofSeconds(5);

    private final DirectMemoryBudget budget;
    private final long timeNanos;

    /** {@code time}: within how long a body must arrive whole, at its average pace, while the budget is pressed. */
    BodyPace(DirectMemoryBudget budget, Duration time) {
        if (time.isZero() || time.isNegative()) {
            throw new IllegalArgumentException("caravan.receiver.busy-body-time must be positive, not " + time);
        }
        this.budget = budget;
        this.timeNanos = time.toNanos();
    }

    /**
     * Null while a body of {@code declared} bytes, {@code received} of them arrived in {@code readingNanos}
     * since its head, keeps pace (or the budget is not pressed); else why it is cut, for its 408 answer.
     */
    String behind(long declared, long received, long readingNanos) {
        if (readingNanos < GRACE.toNanos() || received >= declared * (double) readingNanos / timeNanos || !pressed()) {
            return null;
        }
        double seconds = readingNanos / 1e9;
        return String.format(Locale.ROOT, "uploads wait for the direct memory this receiver's upload bodies may hold"
                + " (%s), and this body of %d bytes arrived at %.0f bytes/s, too slowly to arrive whole within %d s"
                + " (caravan.receiver.busy-body-time, %.0f bytes/s): its memory went to the uploads waiting; send it"
                + " again over a faster link or in smaller chunks", budget.named(), declared, received / seconds,
                timeNanos / 1_000_000_000, declared / (timeNanos / 1e9));
    }

    private boolean pressed() {
        return budget.held() * 2 > budget.limit() && budget.refusedWithin(WAITING.toNanos());
    }
}
