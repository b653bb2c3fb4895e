package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.caravan.TestTrees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C on a watching {@code caravan sync} in the middle of a large file stops it within moments,
 * says what it is doing, and leaves the parcel's session and chunks on the receiver (nothing is
 * abandoned on the way out), for the next run to continue from. The upload goes through a
 * {@link ChokeProxy} that stalls it after 8 MiB.
 */
class SyncInterruptedKeepsSessionsIT {

    private static final long MIB = 1L << 20;

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    @Test
    void ctrlCStopsTheSyncAndKeepsWhatTheReceiverHolds() throws Exception {
        assumeFalse(CaravanProcess.interruptIgnored(), "this JVM ignores SIGINT, so its children cannot see Ctrl-C");
        Path source = Files.createDirectories(dir.resolve("site"));
        TestTrees.random(source.resolve("video.bin"), 32 * MIB, 32);
        int port = E2e.freePort();
        processes.start(dir, "serve", SyncE2e.serve(port, dir.resolve("inbox"))).awaitHttpReady(port);

        try (ChokeProxy proxy = new ChokeProxy(port)) {
            proxy.stallAfter(12 * MIB);
            CaravanProcess sync = processes.start(dir, "sync", "sync", source.toString(), "--to", proxy.url(), "--name", "site",
                    "--state-dir", dir.resolve("state").toString());
            await("the sender stalled mid-transfer").atMost(Duration.ofSeconds(60)).until(proxy::stalled);
            await("a session with stored chunks").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> E2e.openSessions(port) == 1 && E2e.bytesReceived(port) >= 4 * MIB);

            long signalled = System.nanoTime();
            sync.signal("INT");
            int exit = sync.awaitExit(Duration.ofSeconds(30));
            long stopMillis = (System.nanoTime() - signalled) / 1_000_000;
            String output = sync.log();
            System.out.println("caravan sync stopped " + stopMillis + " ms after Ctrl-C, exit " + exit + ":\n" + output);
            assertThat(exit).as(output).isEqualTo(130);
            assertThat(stopMillis).as("milliseconds from Ctrl-C to exit").isLessThan(5_000);
            assertThat(output).contains("interrupted: stopping the sync of " + source.toAbsolutePath());
            proxy.dropConnections();
            assertThat(E2e.openSessions(port)).as("sessions the receiver keeps for the next run").isEqualTo(1);
        }
    }
}
