package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caravan.TestTrees;
import io.caravan.util.TreeSnapshot;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code caravan send --codec auto} of a folder of text and incompressible data, stalled by a
 * {@link ChokeProxy} mid-transfer, killed with {@code kill -9} and started again: the second run
 * reads the levels the first one recorded, regenerates the chunks the receiver holds and skips them,
 * publishes the folder byte for byte, and forgets the levels. (That a replayed log, not the same
 * timing, gives the same chunks is shown deterministically by {@code ResumeAfterPublishTest}.)
 */
class AutoLevelsSurviveAKillIT {

    private static final long MIB = 1L << 20;

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    @Test
    void theRestartedSendRegeneratesTheHeldChunks() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("logs"));
        text(folder.resolve("app.log"), 24 * MIB);
        TestTrees.random(folder.resolve("photo.jpg"), 8 * MIB, 8);
        text(folder.resolve("zz-later.log"), 8 * MIB);
        int port = E2e.freePort();
        processes.start(dir, "serve", E2e.serve(port, dir.resolve("inbox"))).awaitHttpReady(port);

        try (ChokeProxy proxy = new ChokeProxy(port)) {
            String[] send = {"send", folder.toString(), "--to", proxy.url(), "--codec", "auto", "--chunk-size", "1MiB",
                    "--parallel", "2", "--state-dir", dir.resolve("state").toString(), "-q"};
            proxy.stallAfter(4 * MIB);
            CaravanProcess first = processes.start(dir, "send", send);
            String[] sid = new String[1];
            await("the journal names the session").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> (sid[0] = E2e.journalSessionId(dir.resolve("state"))) != null);
            await("3 chunks held by the receiver").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> E2e.status(port, sid[0]).path("chunks").size() >= 3);
            await("the sender stalled mid-transfer").atMost(Duration.ofSeconds(30)).until(proxy::stalled);
            first.kill();
            proxy.dropConnections();
            int heldAtKill = E2e.status(port, sid[0]).path("chunks").size();
            assertThat(Files.size(dir.resolve("state/levels").resolve(sid[0]))).as("segments whose level was recorded")
                    .isPositive();

            proxy.open();
            CaravanProcess second = processes.start(dir, "send", send);
            int exit = second.awaitExit(Duration.ofSeconds(120));
            String output = second.log();
            assertThat(exit).as("the restarted send:\n%s", output).isZero();
            assertThat(E2e.chunksAlreadyThere(output)).as("chunks the restarted send found on the receiver")
                    .isGreaterThanOrEqualTo(heldAtKill);
            E2e.assertSameTree(TreeSnapshot.of(folder), dir.resolve("inbox/logs"));
            assertThat(E2e.openSessions(port)).as("sessions left on the receiver").isZero();
            try (var left = Files.list(dir.resolve("state/levels"))) {
                assertThat(left.toList()).as("levels kept after the publish").isEmpty();
            }
        }
    }

    /** Log-like lines that compress about threefold, no two alike. */
    private static void text(Path file, long size) throws IOException {
        Random random = new Random(size);
        String[] words = {"GET", "POST", "/api/parcel", "/health", "200", "201", "404", "caravan", "chunk", "ms"};
        long written = 0;
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII)) {
            while (written < size) {
                String line = "2026-12-02T03:" + random.nextInt(60) + ":" + random.nextInt(60) + " "
                        + words[random.nextInt(words.length)] + " " + words[random.nextInt(words.length)] + " "
                        + random.nextInt(100_000) + "\n";
                out.write(line);
                written += line.length();
            }
        }
    }
}
