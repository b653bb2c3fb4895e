package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caravan.TestTrees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** With caravan.sender.cron the outbox is sent only inside the window: nothing while it is closed, everything once it opens. */
class SendingWindowIT {

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    @Test
    void nothingIsSentWhileTheWindowIsClosed() throws Exception {
        int port = E2e.freePort();
        CaravanProcess run = processes.start(dir, "run", E2e.run(dir, port, "-Dcaravan.sender.cron=0 0 0 1 1 ? 2099",
                "-Dcaravan.sender.cron-stop=0 0 1 1 1 ? 2099")).awaitHttpReady(port);
        Path file = dir.resolve("report.bin");
        TestTrees.random(file, 100_000, 3);
        E2e.drop(file, dir.resolve("outbox"));
        await("the file stays in the outbox while the window is closed").during(Duration.ofSeconds(4))
                .atMost(Duration.ofSeconds(6)).until(() -> !Files.exists(dir.resolve("inbox/report.bin")));
        assertThat(dir.resolve("outbox/report.bin")).exists();
        assertThat(run.log()).contains("sending window opens at cron '0 0 0 1 1 ? 2099'");
    }

    @Test
    void whatWaitsIsSentWhenTheWindowOpens() throws Exception {
        int port = E2e.freePort();
        processes.start(dir, "run", E2e.run(dir, port, "-Dcaravan.sender.cron=0/6 * * * * ?",
                "-Dcaravan.sender.cron-stop=3/6 * * * * ?")).awaitHttpReady(port);
        TestTrees.random(dir.resolve("report.bin"), 100_000, 4);
        byte[] expected = Files.readAllBytes(dir.resolve("report.bin"));
        E2e.drop(dir.resolve("report.bin"), dir.resolve("outbox"));
        await("sent in the next window").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> Files.isRegularFile(dir.resolve("inbox/report.bin")));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(dir.resolve("inbox/report.bin")).hasBinaryContent(expected));
    }
}
