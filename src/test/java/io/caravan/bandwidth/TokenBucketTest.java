package io.caravan.bandwidth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TokenBucketTest {

    /** Time that passes only when the bucket sleeps, and the time of day it reports. */
    static final class TestTime implements TokenBucket.Time {
        final AtomicLong nanos = new AtomicLong();
        final List<Long> sleeps = new ArrayList<>();
        LocalTime start = LocalTime.of(12, 0);
        /** False: sleeping lets no time pass (threads sharing the bucket then reserve one after the other). */
        boolean advance = true;

        @Override
        public long nanos() {
            return nanos.get();
        }

        @Override
        public void sleep(long duration) {
            synchronized (sleeps) {
                sleeps.add(duration);
            }
            if (advance) {
                nanos.addAndGet(duration);
            }
        }

        @Override
        public LocalTime timeOfDay() {
            return start.plusNanos(nanos.get());
        }
    }

    @Test
    void holdsTheRateOverManyAcquisitions() throws InterruptedException {
        TestTime time = new TestTime();
        TokenBucket bucket = new TokenBucket(BandwidthSchedule.parse("1MiB"), time);
        for (int i = 0; i < 160; i++) {
            bucket.acquire(64 * 1024);
        }
        // 10 MiB at 1 MiB/s: 10 s, less the burst the bucket starts with
        assertThat(time.nanos() / 1e9).isBetween(9.8, 10.0);
    }

    @Test
    void slicesAreATenthOfASecondsWorthBetweenOneKibAndTheMost() {
        assertThat(new TokenBucket(BandwidthSchedule.parse("64KiB"), new TestTime()).slice(64 * 1024)).isEqualTo(6553);
        assertThat(new TokenBucket(BandwidthSchedule.parse("4KiB"), new TestTime()).slice(64 * 1024)).isEqualTo(1024);
        assertThat(new TokenBucket(BandwidthSchedule.parse("1MiB"), new TestTime()).slice(64 * 1024)).isEqualTo(64 * 1024);
        assertThat(TokenBucket.UNLIMITED.slice(64 * 1024)).isEqualTo(64 * 1024);
    }

    @Test
    void sharedByThreadsTheRateIsTheirSum() throws Exception {
        TestTime time = new TestTime();
        time.advance = false;
        TokenBucket bucket = new TokenBucket(BandwidthSchedule.parse("2MiB"), time);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread thread = new Thread(() -> {
                try {
                    for (int i = 0; i < 32; i++) {
                        bucket.acquire(64 * 1024);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        // 8 MiB reserved at 2 MiB/s: the last reservation is due about 4 s after the first
        assertThat(bucket.reservedUntil() / 1e9).isBetween(3.8, 4.0);
    }

    @Test
    void offSpendsNoTimeAndTheTimetableChangesTheRate() throws InterruptedException {
        TestTime time = new TestTime();
        time.start = LocalTime.of(18, 59, 58);
        TokenBucket bucket = new TokenBucket(BandwidthSchedule.parse("08:00,1MiB 19:00,off"), time);
        for (int i = 0; i < 64; i++) {
            bucket.acquire(64 * 1024);
        }
        long limited = time.nanos();
        assertThat(limited / 1e9).isBetween(1.8, 2.2);
        for (int i = 0; i < 1000; i++) {
            bucket.acquire(1 << 20);
        }
        assertThat(time.nanos()).isEqualTo(limited);
    }

    @Test
    void unlimitedNeverSleeps() throws InterruptedException {
        TestTime time = new TestTime();
        TokenBucket bucket = new TokenBucket(BandwidthSchedule.parse("off"), time);
        bucket.acquire(Long.MAX_VALUE / 2);
        assertThat(time.sleeps).isEmpty();
    }
}
