package io.caravan.pack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** What the waits at the uploads count as the link's, with the receiver's own work given by its answers. */
class LinkWaitsTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void theWiresTimeIsTheTimeAnyBodyWasOnTheWireAndItsBytesTheBodiesAnswered() {
        LinkWaits waits = new LinkWaits();
        long before = System.nanoTime();
        waits.bodyArrived(1000, 20 * MS, 5 * MS);
        waits.bodyArrived(3000, 30 * MS, 0); // the wire busy with both over 30 ms: counted once
        sleep(10 * MS);
        waits.bodyArrived(2000, 5 * MS, 0); // 5 ms more, after a pause
        long beforeTake = System.nanoTime();
        LinkWaits.Stretch stretch = waits.take();
        assertThat(stretch.wireBytes()).isEqualTo(6000);
        // 35 ms when the calls follow each other at once; never more than the calls took plus the first body's time
        assertThat(stretch.wireNanos()).isBetween(35 * MS, beforeTake - before + 30 * MS);
        long taken = System.nanoTime();
        sleep(20 * MS);
        LinkWaits.Stretch next = waits.take();
        assertThat(next.wireNanos()).isZero();
        assertThat(next.elapsedNanos()).as("the time since the last stretch was taken")
                .isBetween(20 * MS, System.nanoTime() - beforeTake);
    }

    @Test
    void aBodyNotTimedOrPackingWithNoLinkCountsNothing() {
        LinkWaits waits = new LinkWaits();
        waits.bodyArrived(5000, 0, 0); // a receiver that does not say
        waits.bodyArrived(5000, Long.MAX_VALUE, 0); // nor one whose times are past any request's
        waits.bodyArrived(5000, 10 * MS, Long.MAX_VALUE);
        LinkWaits.Stretch none = waits.take();
        assertThat(none.wireBytes()).isZero();
        assertThat(none.wireNanos()).isZero();
        LinkWaits.NONE.bodyArrived(5000, 10 * MS, 0);
        assertThat(LinkWaits.NONE.take().wireBytes()).as("nothing measured for packing with no link").isZero();
    }

    @Test
    void theTimeBetweenAnAnswerAndTheEndOfTheWaitItEndsIsNotTheLinks() {
        LinkWaits waits = new LinkWaits();
        long before = System.nanoTime();
        waits.now(LinkWaits.Wait.LINK);
        long started = System.nanoTime();
        sleep(20 * MS);
        long beforeAnswer = System.nanoTime();
        waits.answeredAfterWork(5 * MS); // the bytes had arrived 5 ms before: the wait up to then, less 5 ms, was the link's
        long answered = System.nanoTime();
        sleep(40 * MS); // the uploader and the shipper wait for a core before the slot changes hands
        waits.now(LinkWaits.Wait.PACKER);
        assertThat(waits.take().linkNanos()).isBetween(beforeAnswer - started - 5 * MS, answered - before - 5 * MS);
    }

    @Test
    void aWaitForTheLinkBeforeAnyAnswerCountsOnceAnAnswerTells() {
        LinkWaits waits = new LinkWaits();
        waits.now(LinkWaits.Wait.LINK); // the first uploads are under way: how much of their time is the receiver's is not known
        sleep(30 * MS);
        assertThat(waits.take().linkNanos()).isZero();

        waits.answeredAfterWork(0); // an answer after no work of the receiver's: the wait was the link's
        waits.now(LinkWaits.Wait.PACKER);
        assertThat(waits.take().linkNanos()).isGreaterThanOrEqualTo(30 * MS);
    }

    @Test
    void aWaitGoingOnCountsOnlyPastTheReceiversWorkOfTheLastAnswer() {
        LinkWaits waits = new LinkWaits();
        waits.now(LinkWaits.Wait.LINK);
        waits.answeredAfterWork(200 * MS); // the receiver works 200 ms on a chunk after its bytes arrived
        waits.now(LinkWaits.Wait.PACKER);
        waits.take();
        waits.now(LinkWaits.Wait.LINK);
        sleep(30 * MS);
        assertThat(waits.take().linkNanos()).isZero();
    }

    @Test
    void aWaitEndedByAnAnswerCountsOnlyPastTheWorkItGave() {
        LinkWaits waits = new LinkWaits();
        long before = System.nanoTime();
        waits.now(LinkWaits.Wait.LINK);
        long started = System.nanoTime();
        sleep(50 * MS);
        long beforeAnswer = System.nanoTime();
        waits.answeredAfterWork(40 * MS);
        long answered = System.nanoTime();
        waits.now(LinkWaits.Wait.PACKER);
        long link = waits.take().linkNanos();
        // the wait up to the answer, less the 40 ms of work it gave (bounds taken on this thread: a loaded machine sleeps longer)
        assertThat(link).isBetween(beforeAnswer - started - 40 * MS, answered - before - 40 * MS);
    }

    @Test
    void measuringNothingCountsNothing() {
        LinkWaits.NONE.now(LinkWaits.Wait.LINK);
        sleep(5 * MS);
        assertThat(LinkWaits.NONE.take().measured()).isFalse();
        assertThat(LinkWaits.NONE.measuring()).isFalse();
    }

    private static void sleep(long nanos) {
        long until = System.nanoTime() + nanos;
        for (long left = nanos; left > 0; left = until - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }
}
