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
 * {@code caravan send} killed with {@code kill -9} in the middle of a 48 MiB upload and started again
 * with the same command resumes the receiver's session: it finishes, the published file is
 * byte-identical, and what travelled twice is at most the chunks that were in flight plus one.
 * <p>
 * The upload goes through a {@link ChokeProxy} that stalls it after 12 MiB, so the kill always
 * lands mid-transfer with several chunks stored and {@code parallel} requests half sent, whatever
 * the machine's speed; the proxy also counts every byte the sender put on the wire in both runs.
 */
class SenderKilledMidTransferResumesIT {

    private static final long MIB = 1L << 20;
    private static final int PARALLEL = 4;

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    @Test
    void resumesWithoutResendingWhatTheReceiverHolds() throws Exception {
        Path file = dir.resolve("big.bin");
        TestTrees.random(file, 48 * MIB, 48);
        long streamSize = E2e.streamSize(file, "none", MIB);
        int port = E2e.freePort();
        processes.start(dir, "serve", E2e.serve(port, dir.resolve("inbox"))).awaitHttpReady(port);

        try (ChokeProxy proxy = new ChokeProxy(port)) {
            String[] send = {"send", file.toString(), "--to", proxy.url(), "--chunk-size", "1MiB", "--codec", "none",
                    "--parallel", String.valueOf(PARALLEL), "--state-dir", dir.resolve("state").toString(), "-q"};
            proxy.stallAfter(12 * MIB);
            CaravanProcess first = processes.start(dir, "send", send);

            String[] sid = new String[1];
            await("the journal names the session").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> (sid[0] = E2e.journalSessionId(dir.resolve("state"))) != null);
            await("5 chunks held by the receiver").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> E2e.status(port, sid[0]).path("chunks").size() >= 5);
            await("the sender stalled mid-transfer").atMost(Duration.ofSeconds(30)).until(proxy::stalled);
            assertThat(first.isAlive()).as("the first send is still in the middle of the transfer").isTrue();
            first.kill();
            proxy.dropConnections();
            int heldAtKill = E2e.status(port, sid[0]).path("chunks").size();
            long receivedAtKill = E2e.bytesReceived(port);
            assertThat(heldAtKill).isBetween(5, 47);

            proxy.open();
            CaravanProcess second = processes.start(dir, "send", send);
            int exit = second.awaitExit(Duration.ofSeconds(120));
            String output = second.log();
            assertThat(exit).as("the restarted send:\n%s", output).isZero();
            assertThat(output).contains("published 'big.bin'");

            Path published = dir.resolve("inbox/big.bin");
            assertThat(Files.mismatch(file, published)).as("published file differs from the source at byte").isEqualTo(-1L);

            long received = E2e.bytesReceived(port);
            long resentByMetric = received - streamSize;
            long onTheWire = proxy.forwarded();
            System.out.printf("stream %d bytes; %d chunks held at the kill; receiver stored %d bytes in all (%d more than the"
                            + " stream), %d of them after the restart; the sender put %d bytes on the wire in both runs"
                            + " (%d more than the stream); second run: %s%n",
                    streamSize, heldAtKill, received, resentByMetric, received - receivedAtKill, onTheWire,
                    onTheWire - streamSize, E2e.onTheWire(output));
            assertThat(resentByMetric).as("chunk bytes stored beyond the stream").isLessThanOrEqualTo((PARALLEL + 1) * MIB);
            assertThat(onTheWire - streamSize).as("bytes sent beyond the stream, HTTP headers included")
                    .isLessThanOrEqualTo((PARALLEL + 1) * MIB);
            assertThat(received - receivedAtKill).as("chunk bytes stored after the restart")
                    .isLessThanOrEqualTo(streamSize - heldAtKill * MIB);
            assertThat(E2e.chunksAlreadyThere(output)).as("chunks the restarted send skipped").isGreaterThanOrEqualTo(heldAtKill);
            assertThat(E2e.journalEntries(dir.resolve("state"))).as("journal entries after the finish").isZero();
            assertThat(E2e.openSessions(port)).as("sessions left on the receiver").isZero();
        }
    }
}
