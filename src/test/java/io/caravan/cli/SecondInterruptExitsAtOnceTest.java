package io.caravan.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The first Ctrl-C says what is being done and starts the orderly stop; a second exits at once, with
 * the first signal's status; an orderly stop that hangs ends the same way after its grace period.
 * (The signals themselves reach these handlers in the forked-process tests, e.g. SendInterruptedResumesIT.)
 */
class SecondInterruptExitsAtOnceTest {

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final List<Integer> halts = new CopyOnWriteArrayList<>();
    private final AtomicInteger stops = new AtomicInteger();

    private Interruptions interruptions(Duration grace) {
        return new Interruptions(new PrintStream(err, true, StandardCharsets.UTF_8), "stopping the test transfer",
                stops::incrementAndGet, grace, halts::add);
    }

    private String printed() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theFirstStopsInOrderTheSecondExitsAtOnce() {
        Interruptions interruptions = interruptions(Duration.ofMinutes(10));
        interruptions.signalled(143);
        await("the orderly stop").atMost(Duration.ofSeconds(10)).until(() -> stops.get() == 1);
        assertThat(printed()).contains("interrupted: stopping the test transfer (Ctrl-C again exits at once)");
        assertThat(halts).isEmpty();
        assertThat(interruptions.exitStatus()).isEqualTo(143);

        interruptions.signalled(130);
        assertThat(halts).containsExactly(143);
        assertThat(printed()).contains("interrupted again: exiting at once");
        assertThat(stops.get()).isEqualTo(1);
    }

    @Test
    void anOrderlyStopThatHangsEndsAfterItsGrace() {
        interruptions(Duration.ofMillis(200)).signalled(130);
        await("the exit after the grace period").atMost(Duration.ofSeconds(10)).until(() -> halts.contains(130));
        assertThat(printed()).contains("still stopping after 200 ms: exiting now");
    }
}
