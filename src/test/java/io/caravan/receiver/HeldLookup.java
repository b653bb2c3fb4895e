package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Holds the first request of one session (a finish or a status) on a receiver where it has looked for the
 * session's result and not yet looked the session up, until the test lets it go on; every other request
 * passes. The test lets a finish (or a delete) run in that gap; closing it lets the held request go on.
 */
final class HeldLookup implements Consumer<String>, AutoCloseable {

    private final String sid;
    private final AtomicBoolean taken = new AtomicBoolean();
    private final CountDownLatch reached = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);
    private Future<HttpResponse<String>> answer;

    private HeldLookup(String sid) {
        this.sid = sid;
    }

    /**
     * Sends {@code request} of session {@code sid} to {@code node} on {@code sender} and returns once it is
     * held: it found no result and has not looked the session up.
     */
    static HeldLookup of(ReceiverFixture node, String sid, ExecutorService sender, Callable<HttpResponse<String>> request)
            throws InterruptedException {
        HeldLookup held = new HeldLookup(sid);
        node.context().getRegistry().findSingleByType(Receiver.class).sessions().beforeLookup(held);
        held.answer = sender.submit(request);
        assertThat(held.reached.await(1, TimeUnit.MINUTES)).as("a finish of " + sid + " reached its session lookup").isTrue();
        return held;
    }

    @Override
    public void accept(String id) {
        if (!id.equals(sid) || !taken.compareAndSet(false, true)) {
            return;
        }
        reached.countDown();
        try {
            released.await(2, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Lets the held request look the session up; its answer. */
    HttpResponse<String> answer() throws Exception {
        close();
        return answer.get();
    }

    /** Lets the held request go on, if it still waits. */
    @Override
    public void close() {
        released.countDown();
    }
}
