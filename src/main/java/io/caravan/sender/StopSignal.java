package io.caravan.sender;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A request to stop transferring (Ctrl-C, SIGTERM, a service being stopped), raised at most once and
 * never lowered. Once raised no request to the receiver starts, no retry waits and the requests in
 * flight are aborted; what the receiver holds stays there, so the transfer resumes later.
 */
public final class StopSignal {

    /** A signal nobody raises: for transfers that only end by themselves. */
    public static final StopSignal NONE = new StopSignal();

    private final CountDownLatch raised = new CountDownLatch(1);
    private final List<Runnable> onRaise = new CopyOnWriteArrayList<>();

    /** Raises the signal and runs what was registered with {@link #onRaise}; later calls do nothing. */
    public void raise() {
        if (this == NONE) {
            throw new IllegalStateException("StopSignal.NONE is never raised");
        }
        synchronized (this) {
            if (raised()) {
                return;
            }
            raised.countDown();
        }
        onRaise.forEach(Runnable::run);
    }

    public boolean raised() {
        return raised.getCount() == 0;
    }

    /** Runs {@code action} when the signal is raised (at once if it already was). */
    public void onRaise(Runnable action) {
        if (this == NONE) {
            return;
        }
        onRaise.add(action);
        if (raised()) {
            action.run();
        }
    }

    /** Waits up to {@code millis}; true when the signal was raised meanwhile (or before). */
    public boolean await(long millis) throws InterruptedException {
        return raised.await(millis, TimeUnit.MILLISECONDS);
    }

    /** Throws {@link TransferStoppedException} for {@code what} if the signal was raised. */
    public void check(String what) {
        if (raised()) {
            throw new TransferStoppedException(what);
        }
    }
}
