package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.util.DirectMemoryBudget;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The pace of caravan.receiver.busy-body-time at its default minute, in the numbers the README gives: while
 * uploads wait for the launcher's 88 MiB budget, a 16 MiB body trickled at 1.6 KB/s is cut once its link had
 * its 5 s to start; one over a 200 Mbit/s link (whole in 0.7 s), or a slow but steady one whole in 50 s
 * (2.7 Mbit/s), never is; nor is the trickled one while nobody waits, or while half the budget is free.
 */
class BodyPaceTest {

    private static final long MIB = 1 << 20;
    private static final long BODY = 16 * MIB;
    private static final long SECOND = Duration.ofSeconds(1).toNanos();

    @Test
    void aTrickledBodyIsCutWhileUploadsWaitAndOnlyThen() {
        DirectMemoryBudget budget = new DirectMemoryBudget(DirectMemoryBudget.SETTING, 88 * MIB);
        BodyPace pace = new BodyPace(budget, Duration.ofMinutes(1));
        assertThat(budget.reserve(5 * BODY)).isTrue();
        assertThat(pace.behind(BODY, 10_000, 6 * SECOND)).as("nobody has waited yet").isNull();

        assertThat(budget.reserve(BODY)).as("a sixth 16 MiB body").isFalse();
        assertThat(pace.behind(BODY, 8_000, 4 * SECOND)).as("within the start a link is given").isNull();
        assertThat(pace.behind(BODY, 9_600, 6 * SECOND)).as("1.6 KB/s while uploads wait")
                .contains("caravan.receiver.busy-body-time", "caravan.receiver.direct-memory", "1600 bytes/s", "279620 bytes/s");

        budget.release(3 * BODY);
        assertThat(pace.behind(BODY, 9_600, 6 * SECOND)).as("with more than half the budget free").isNull();
    }

    @Test
    void steadyBodiesKeepPaceWhileUploadsWait() {
        DirectMemoryBudget budget = new DirectMemoryBudget(DirectMemoryBudget.SETTING, 88 * MIB);
        BodyPace pace = new BodyPace(budget, Duration.ofMinutes(1));
        assertThat(budget.reserve(5 * BODY)).isTrue();
        assertThat(budget.reserve(BODY)).isFalse();
        long fastLink = 25_000_000; // 200 Mbit/s
        assertThat(pace.behind(BODY, fastLink * 7 / 10, 7 * SECOND / 10)).isNull();
        for (int second = 5; second < 50; second++) {
            assertThat(pace.behind(BODY, BODY * second / 50, second * SECOND)).as("whole in 50 s, at %d s", second).isNull();
        }
    }
}
