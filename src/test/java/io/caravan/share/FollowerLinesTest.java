package io.caravan.share;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.sync.SyncConsole;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The share server's console lines of followers connecting and leaving: a few followers are each printed as
 * they connect and leave; past {@link FollowerRegistry#LINES_PER_INTERVAL} lines of one share in an interval,
 * the others are summed in one line when the interval ends, so a token holder making up follower ids costs
 * the console a bounded number of lines.
 */
class FollowerLinesTest {

    private static final int MAX_FOLLOWERS = 100_000;
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final FollowerRegistry registry = new FollowerRegistry("s1",
            new SyncConsole(new PrintStream(printed, true, StandardCharsets.UTF_8)));

    @Test
    void aFewFollowersArePrintedEachAsTheyConnectAndLeave() {
        registry.seen(new FollowerRegistry.Follower("laptop", "10.0.0.7"), false, MAX_FOLLOWERS);
        registry.seen(new FollowerRegistry.Follower("10.0.0.8", "10.0.0.8"), false, MAX_FOLLOWERS);
        registry.forgetSilent(System.nanoTime() + FollowerRegistry.GONE_AFTER.toNanos() + 1);

        assertThat(lines()).containsExactly("Follower laptop (10.0.0.7) connected to 's1'",
                "Follower 10.0.0.8 connected to 's1'", "Follower laptop left 's1'", "Follower 10.0.0.8 left 's1'");
    }

    @Test
    void theSharesTimerLookingForSilentFollowersPrintsNothingByItself() {
        long now = System.nanoTime();
        for (int second = 0; second < 30; second++) { // as Shares asks, once a second
            registry.forgetSilent(now + second * 1_000_000_000L);
        }
        registry.seen(new FollowerRegistry.Follower("laptop", "10.0.0.7"), false, MAX_FOLLOWERS);
        registry.forgetSilent(System.nanoTime() + FollowerRegistry.GONE_AFTER.toNanos() + 1);

        assertThat(lines()).containsExactly("Follower laptop (10.0.0.7) connected to 's1'", "Follower laptop left 's1'");
    }

    @Test
    void manyMadeUpFollowersAreSummedPerInterval() {
        long start = System.nanoTime();
        for (int i = 0; i < 5_000; i++) {
            registry.seen(new FollowerRegistry.Follower("made-up-" + i, "10.0.0.9"), false, MAX_FOLLOWERS);
        }
        registry.forgetSilent(System.nanoTime() + FollowerRegistry.GONE_AFTER.toNanos() + 1); // all 5,000 left
        int limit = FollowerRegistry.LINES_PER_INTERVAL;
        assertThat(lines()).hasSize(limit);

        registry.forgetSilent(start + FollowerRegistry.LINE_INTERVAL.toNanos() + 1);
        List<String> lines = lines();
        assertThat(lines).hasSize(limit + 1);
        assertThat(lines.get(limit)).isEqualTo("Followers of 's1': " + (5_000 - limit) + " more connected and 5000 left"
                + " in the last minute, not printed one by one");

        registry.seen(new FollowerRegistry.Follower("laptop", "10.0.0.7"), false, MAX_FOLLOWERS);
        assertThat(lines()).hasSize(limit + 2).last().isEqualTo("Follower laptop (10.0.0.7) connected to 's1'");
    }

    private List<String> lines() {
        return printed.toString(StandardCharsets.UTF_8).lines().toList();
    }
}
