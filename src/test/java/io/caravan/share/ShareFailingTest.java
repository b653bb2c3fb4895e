package io.caravan.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.caravan.session.RequestRejectedException;
import io.caravan.sync.SyncConsole;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A share whose scan fails (more entries than its cap, or an error such as running out of memory)
 * never stops silently: it says so in {@code GET /shares} and answers polls with 503 and the reason,
 * keeps trying at every rescan, and records changes again once a scan succeeds.
 */
class ShareFailingTest {

    @TempDir
    Path dir;

    @Test
    void aShareOverItsEntryCapSaysSoAndRecoversOnceItFits() throws Exception {
        Path site = Files.createDirectories(dir.resolve("site"));
        for (String name : List.of("a", "b", "c")) {
            Files.writeString(site.resolve(name), name);
        }
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (Shares shares = new Shares(Map.of("site", site), dir.resolve("state"), 100, Duration.ofMillis(100),
                Duration.ofMillis(300), new SyncConsole(new PrintStream(printed, true, StandardCharsets.UTF_8)), 2)) {
            shares.start(List.of("http://127.0.0.1:8834"));
            Share share = shares.get("site");

            assertThat(share.failure()).contains("site").contains("more than 2 entries").contains("-Xmx");
            assertThat(printed.toString(StandardCharsets.UTF_8)).contains("more than 2 entries");
            @SuppressWarnings("unchecked")
            Map<String, Object> described = ((List<Map<String, Object>>) shares.describe().get("shares")).get(0);
            assertThat(described.get("error")).asString().contains("more than 2 entries");
            assertThat(shares.failing()).containsOnlyKeys("site");
            assertThatThrownBy(() -> shares.await(share, 0, Duration.ofSeconds(1), "f", "/127.0.0.1:1"))
                    .isInstanceOfSatisfying(RequestRejectedException.class, e -> {
                        assertThat(e.httpStatus()).isEqualTo(503);
                        assertThat(e.getMessage()).contains("more than 2 entries");
                    });

            Files.delete(site.resolve("c"));

            await().atMost(Duration.ofSeconds(10)).until(() -> share.failure() == null);
            assertThat(share.log().listing().entries()).containsOnlyKeys("a", "b");
            assertThat(shares.describe().get("shares")).asString().doesNotContain("error");
            assertThat(shares.failing()).isEmpty();
            assertThat(shares.await(share, 0, Duration.ofSeconds(1), "f", "/127.0.0.1:1").get()).isNotNull();
        }
    }

    @Test
    void anErrorInTheShareLoopIsReportedAndTheShareGoesOn() throws Exception {
        Path site = Files.createDirectories(dir.resolve("site"));
        Files.writeString(site.resolve("a"), "a");
        AtomicBoolean thrown = new AtomicBoolean();
        try (Share share = new Share("site", site, ShareLog.open("site", dir.resolve("log"), 100), Duration.ofMillis(100),
                Duration.ofSeconds(2), 1000, event -> {
                    if (thrown.compareAndSet(false, true)) {
                        throw new OutOfMemoryError("no heap left (thrown by the test)");
                    }
                })) {
            share.start();

            Files.writeString(site.resolve("b"), "b");
            await().atMost(Duration.ofSeconds(10)).untilTrue(thrown);
            await().atMost(Duration.ofSeconds(10)).until(() -> share.failure() != null);
            assertThat(share.failure()).contains("out of memory").contains("-Xmx");

            Files.writeString(site.resolve("c"), "c");
            await().atMost(Duration.ofSeconds(10)).until(() -> share.log().listing().entries().containsKey("c"));
            await().atMost(Duration.ofSeconds(10)).until(() -> share.failure() == null);
        }
    }
}
