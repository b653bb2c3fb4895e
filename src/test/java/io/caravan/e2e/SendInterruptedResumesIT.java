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

/**
 * SIGTERM (as Ctrl-C) on {@code caravan send} in the middle of a transfer stops it within moments,
 * says the parcel stays resumable and exits 143; the same command then continues from the chunks
 * the receiver holds. The upload goes through a {@link ChokeProxy} that stalls it after 8 MiB.
 */
class SendInterruptedResumesIT {

    private static final long MIB = 1L << 20;

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    @Test
    void aStoppedSendContinuesFromTheReceiversChunks() throws Exception {
        Path file = dir.resolve("big.bin");
        TestTrees.random(file, 24 * MIB, 25);
        int port = E2e.freePort();
        processes.start(dir, "serve", E2e.serve(port, dir.resolve("inbox"))).awaitHttpReady(port);

        try (ChokeProxy proxy = new ChokeProxy(port)) {
            String[] send = {"send", file.toString(), "--to", proxy.url(), "--chunk-size", "1MiB", "--codec", "none",
                    "--state-dir", dir.resolve("state").toString(), "-q"};
            proxy.stallAfter(8 * MIB);
            CaravanProcess first = processes.start(dir, "send", send);
            String[] sid = new String[1];
            await("the journal names the session").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> (sid[0] = E2e.journalSessionId(dir.resolve("state"))) != null);
            await("4 chunks held by the receiver").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> E2e.status(port, sid[0]).path("chunks").size() >= 4);
            await("the sender stalled mid-transfer").atMost(Duration.ofSeconds(30)).until(proxy::stalled);
            int heldAtStop = E2e.status(port, sid[0]).path("chunks").size();

            long signalled = System.nanoTime();
            first.signal("TERM");
            int exit = first.awaitExit(Duration.ofSeconds(30));
            long stopMillis = (System.nanoTime() - signalled) / 1_000_000;
            String output = first.log();
            System.out.println("caravan send stopped " + stopMillis + " ms after SIGTERM, exit " + exit + ":\n" + output);
            assertThat(exit).as(output).isEqualTo(143);
            assertThat(stopMillis).as("milliseconds from SIGTERM to exit").isLessThan(5_000);
            assertThat(output).contains("interrupted: stopping; parcel 'big.bin' stays resumable")
                    .contains("run the same command again");

            proxy.dropConnections();
            proxy.open();
            CaravanProcess second = processes.start(dir, "send", send);
            assertThat(second.awaitExit(Duration.ofSeconds(120))).as(second.log()).isZero();
            assertThat(Files.mismatch(file, dir.resolve("inbox/big.bin"))).isEqualTo(-1L);
            assertThat(E2e.chunksAlreadyThere(second.log())).as("chunks the second send found on the receiver")
                    .isGreaterThanOrEqualTo(heldAtStop);
        }
    }
}
