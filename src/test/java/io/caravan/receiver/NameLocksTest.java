package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A finish waiting for another node's lock of its name (the store's) holds no lock of this process meanwhile: a
 * finish of another name that shares its stripe goes on. Before, the stripe was taken first and held through the
 * wait, so unrelated finishes queued behind a name another node held, each up to the finish wait, and past their
 * clients' hang-ups.
 */
class NameLocksTest {

    @Test
    void aFinishWaitingForTheStoresLockOfItsNameHoldsNoStripe() throws Exception {
        String held = "reports/x";
        String other = null;
        for (int i = 0; other == null; i++) {
            String candidate = "q" + i;
            if (Math.floorMod(candidate.hashCode(), 64) == Math.floorMod(held.hashCode(), 64)) {
                other = candidate;
            }
        }
        CountDownLatch waiting = new CountDownLatch(1);
        CountDownLatch otherNodeDone = new CountDownLatch(1);
        NameLocks locks = new NameLocks();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> blocked = pool.submit(() -> {
                try (NameLocks.Hold hold = locks.hold(name -> { // another node holds this name for now
                    waiting.countDown();
                    try {
                        otherNodeDone.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                })) {
                    hold.take(held);
                }
                return null;
            });
            assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue();
            String unrelated = other;
            Future<?> free = pool.submit(() -> {
                try (NameLocks.Hold hold = locks.hold(name -> { })) {
                    hold.take(unrelated);
                }
                return null;
            });

            free.get(5, TimeUnit.SECONDS); // would wait until the other node let go before
            otherNodeDone.countDown();
            blocked.get(5, TimeUnit.SECONDS);
        } finally {
            otherNodeDone.countDown();
            pool.shutdownNow();
        }
    }
}
