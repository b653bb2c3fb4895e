package io.caravan.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caravan.TestTrees;
import io.caravan.receiver.ReceiverFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A follower fetches a share's small files several at a time ({@code POST /shares/{name}/files}), not
 * one request each: the first compare of 400 small files and a change of 60 of them take a handful of
 * requests (counted in the server's audit trail, one {@code download} line per request), while a file
 * larger than a bundle takes its own ranged request. The mirror is identical entry by entry either way.
 */
class FollowerBundlesTest {

    @TempDir
    Path tmp;
    Path site;
    ReceiverFixture server;
    Followers followers = new Followers();

    @BeforeEach
    void start() throws Exception {
        site = Files.createDirectories(tmp.resolve("site"));
        for (int i = 0; i < 400; i++) {
            Files.createDirectories(site.resolve("d" + i % 7));
            TestTrees.random(site.resolve("d" + i % 7 + "/small " + i + ".txt"), 500 + i * 7, i);
        }
        TestTrees.random(site.resolve("large.bin"), 3_000_000, 999);
        server = new ReceiverFixture(tmp.resolve("inbox"), Map.of("caravan.shares.site", site.toString(),
                "caravan.share.settle", "150ms"));
    }

    @AfterEach
    void stop() throws Exception {
        followers.close();
        server.close();
    }

    @Test
    void smallFilesComeSeveralToARequest() throws Exception {
        Followers.Running follower = followers.start("http://127.0.0.1:" + server.port() + "/shares/site", tmp.resolve("mirror"));
        converge(follower);
        long first = downloads();
        assertThat(first).as("requests for 400 small files and a large one").isBetween(2L, 20L);

        for (int i = 0; i < 400; i += 7) {
            TestTrees.random(site.resolve("d" + i % 7 + "/small " + i + ".txt"), 900 + i, 5000 + i);
        }
        converge(follower);
        assertThat(downloads() - first).as("requests for 58 changed small files").isBetween(1L, 10L);
        assertThat(follower.refused()).isEmpty();
    }

    private void converge(Followers.Running follower) {
        await("the follower mirrors the share").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .ignoreExceptions().until(() -> Followers.describe(follower.target()).equals(Followers.describe(site)));
    }

    /** Requests for file content the server answered, from its audit trail. */
    private long downloads() throws IOException {
        List<String> lines = Files.readAllLines(server.inbox().resolve(".caravan/audit.jsonl"));
        return lines.stream().filter(l -> l.contains("\"event\":\"download\"")).count();
    }
}
