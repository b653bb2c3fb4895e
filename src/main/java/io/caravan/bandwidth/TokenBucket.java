package io.caravan.bandwidth;

import java.time.LocalTime;
import java.util.concurrent.TimeUnit;

/**
 * One bandwidth limit shared by every thread that sends (or reads) through it: each asks for its
 * bytes before it moves them, and waits until the rate of the {@link BandwidthSchedule} at that time
 * of day allows them. Requests are served in turn (a request may run the bucket into debt, which the
 * next ones wait out), so the sum of all threads' bytes stays at the rate; after an idle spell at most
 * a tenth of a second's worth passes at once. An unlimited rate costs no wait.
 */
public final class TokenBucket {

    /** The time the bucket runs on: a monotonic clock, sleeping, and the time of day for the timetable. */
    public interface Time {
        long nanos();

        void sleep(long nanos) throws InterruptedException;

        LocalTime timeOfDay();

        /** The machine's clocks, the timetable read in its local time zone. */
        Time SYSTEM = new Time() {
            @Override
            public long nanos() {
                return System.nanoTime();
            }

            @Override
            public void sleep(long nanos) throws InterruptedException {
                TimeUnit.NANOSECONDS.sleep(nanos);
            }

            @Override
            public LocalTime timeOfDay() {
                return LocalTime.now();
            }
        };
    }

    /** A bucket that never waits. */
    public static final TokenBucket UNLIMITED = new TokenBucket(BandwidthSchedule.OFF, Time.SYSTEM);

    private final BandwidthSchedule schedule;
    private final Time time;
    private long rate = -1;
    private double tokens;
    private long last;
    private long reservedUntil;

    public TokenBucket(BandwidthSchedule schedule, Time time) {
        this.schedule = schedule;
        this.time = time;
    }

    /** A bucket on the machine's clocks. */
    public static TokenBucket of(BandwidthSchedule schedule) {
        return schedule.limited() ? new TokenBucket(schedule, Time.SYSTEM) : UNLIMITED;
    }

    public BandwidthSchedule schedule() {
        return schedule;
    }

    /** Waits until {@code bytes} may be moved at the current rate. */
    public void acquire(long bytes) throws InterruptedException {
        if (this == UNLIMITED) {
            return;
        }
        long wait;
        synchronized (this) {
            long now = time.nanos();
            long current = schedule.rateAt(time.timeOfDay());
            if (current == BandwidthSchedule.UNLIMITED) {
                rate = current;
                reservedUntil = now;
                return;
            }
            double burst = current / 10.0;
            if (current != rate) {
                rate = current;
                tokens = burst;
            } else {
                tokens = Math.min(burst, tokens + (now - last) * (double) current / 1e9);
            }
            last = now;
            tokens -= bytes;
            wait = tokens >= 0 ? 0 : (long) (-tokens * 1e9 / current);
            reservedUntil = now + wait;
        }
        if (wait > 0) {
            time.sleep(wait);
        }
    }

    /**
     * How many bytes of at most {@code most} to ask for at once: a tenth of a second's worth at the
     * current rate, at least 1 KiB. Transfers that share a low limit then each move a little at a
     * time, rather than each waiting its turn for a large slice while its connection stays silent.
     */
    public int slice(int most) {
        long current = schedule.rateAt(time.timeOfDay());
        if (current == BandwidthSchedule.UNLIMITED) {
            return most;
        }
        return (int) Math.min(most, Math.max(1024, current / 10));
    }

    /** When (on the bucket's clock) the bytes reserved last may move. */
    synchronized long reservedUntil() {
        return reservedUntil;
    }
}
