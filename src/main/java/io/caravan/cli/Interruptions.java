package io.caravan.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import sun.misc.Signal;

/**
 * Ctrl-C (SIGINT) and SIGTERM for a command that transfers or serves: the first says what is being
 * done and starts the command's orderly stop, which leaves everything resumable; the second exits at
 * once. An orderly stop that takes longer than its grace period ends the same way as a second
 * Ctrl-C: by then nothing is left that a resume needs. The exit status is 128 + the signal's number.
 */
final class Interruptions {

    private final PrintStream err;
    private final String doing;
    private final Runnable stop;
    private final Duration grace;
    private final IntConsumer halt;
    private final AtomicInteger signals = new AtomicInteger();
    private volatile int exitStatus = CaravanCli.INTERRUPTED;

    Interruptions(PrintStream err, String doing, Runnable stop, Duration grace, IntConsumer halt) {
        this.err = err;
        this.doing = doing;
        this.stop = stop;
        this.grace = grace;
        this.halt = halt;
    }

    /**
     * Handles SIGINT and SIGTERM in this process from now on: {@code doing} is printed after
     * "interrupted: " and {@code stop} runs on a thread of its own.
     */
    static Interruptions install(String doing, Runnable stop, Duration grace) {
        Interruptions interruptions = new Interruptions(System.err, doing, stop, grace, Runtime.getRuntime()::halt);
        for (String name : List.of("INT", "TERM")) {
            Signal.handle(new Signal(name), signal -> interruptions.signalled(128 + signal.getNumber()));
        }
        return interruptions;
    }

    /**
     * As {@link #install}, the orderly stop being an exit that runs the shutdown hooks (Camel's own
     * graceful shutdown in a service).
     */
    static Interruptions installExiting(String doing, Duration grace) {
        Interruptions[] installed = new Interruptions[1];
        installed[0] = install(doing, () -> System.exit(installed[0].exitStatus()), grace);
        return installed[0];
    }

    /**
     * As {@link #install}, the orderly stop being an immediate exit without shutdown hooks: for work
     * whose state is on disk as it goes, where any clean-up could only discard what a resume needs.
     */
    static Interruptions installHalting(String doing, Duration grace) {
        Interruptions[] installed = new Interruptions[1];
        installed[0] = install(doing, () -> {
            System.out.flush();
            System.err.flush();
            Runtime.getRuntime().halt(installed[0].exitStatus());
        }, grace);
        return installed[0];
    }

    /** A signal arrived; {@code status} is the exit status it stands for. */
    void signalled(int status) {
        if (signals.incrementAndGet() > 1) {
            err.println("interrupted again: exiting at once");
            err.flush();
            halt.accept(exitStatus);
            return;
        }
        exitStatus = status;
        err.println("interrupted: " + doing + " (Ctrl-C again exits at once)");
        err.flush();
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(grace.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            err.println("caravan: still stopping after " + grace.toMillis() + " ms: exiting now");
            err.flush();
            halt.accept(exitStatus);
        }, "caravan-stop-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        Thread stopping = new Thread(stop, "caravan-stop");
        stopping.setDaemon(true);
        stopping.start();
    }

    boolean interrupted() {
        return signals.get() > 0;
    }

    int exitStatus() {
        return exitStatus;
    }
}
