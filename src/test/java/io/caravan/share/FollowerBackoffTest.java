package io.caravan.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pass that fails (every fetch answered 500 here) is tried again after a pause that doubles from
 * 1 s, said once per pass, instead of at once and at every poll; a pass that succeeds ends the
 * pauses, so the next failure waits 1 s again.
 */
class FollowerBackoffTest {

    @Test
    void aFailingPassIsTriedAgainAfterAPauseThatDoubles(@TempDir Path target) throws Exception {
        try (FakeShare share = new FakeShare()) {
            share.listing(1, FakeShare.file("missing.txt", 5, 2_000_000_000_000L));
            share.broken.add("missing.txt");
            share.broken.add("gone.txt");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ShareFollower follower = share.follower(target, false, out, new CopyOnWriteArrayList<>());
            Thread thread = FakeShare.running(follower, out);
            try {
                Thread.sleep(4_500); // tries at about 0, 1 and 3 s; every poll (0.1 s) without the pause
                String console = out.toString(StandardCharsets.UTF_8);
                assertThat(share.asked.get()).as(console).isBetween(2, 4);
                assertThat(console).contains("Failed: missing.txt")
                        .contains("Pass failed: 1 change could not be made; next try in 1 s")
                        .contains("Pass failed: 1 change could not be made; next try in 2 s");

                share.file("missing.txt", "found");
                share.broken.remove("missing.txt");
                long until = System.nanoTime() + 15_000_000_000L;
                while (!Files.exists(target.resolve("missing.txt")) && System.nanoTime() < until) {
                    Thread.sleep(100);
                }
                assertThat(target.resolve("missing.txt")).as(out.toString(StandardCharsets.UTF_8)).hasContent("found");

                // a pass that succeeded ends the pauses: the next failure waits 1 s again, not 4 s
                int before = out.toString(StandardCharsets.UTF_8).length();
                share.changes(2, 2, "{\"seq\":2,\"type\":\"CREATE\",\"path\":\"gone.txt\",\"entry\":"
                        + FakeShare.file("gone.txt", 3, 2_000_000_000_000L) + "}");
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(out.toString(StandardCharsets.UTF_8)
                        .substring(before)).contains("Failed: gone.txt").contains("Pass failed: 1 change could not be made; next try in "));
                assertThat(out.toString(StandardCharsets.UTF_8).substring(before)).contains("next try in 1 s");
            } finally {
                follower.close();
                thread.join(10_000);
            }
        }
    }
}
