package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.caravan.TestTrees;
import io.caravan.util.TreeSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C on {@code caravan run} in the middle of a transfer is a pause: the process stops within
 * moments and says so, the parcel stays in the outbox (not in {@code .failed/}) with its session
 * in the journal, and the next start resumes it from the chunks the receiver holds.
 * <p>
 * Sender and receiver run in one process (the default); the sender reaches its receiver through a
 * {@link ChokeProxy} that stalls the upload after 8 MiB, so Ctrl-C always lands mid-transfer, with
 * chunks stored and requests half sent.
 */
class RunInterruptedParcelStaysResumableIT {

    private static final long MIB = 1L << 20;

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    @Test
    void ctrlCLeavesTheParcelToResumeAtTheNextStart() throws Exception {
        assumeFalse(CaravanProcess.interruptIgnored(), "this JVM ignores SIGINT, so its children cannot see Ctrl-C");
        Path outbox = dir.resolve("outbox");
        Path file = Files.createDirectories(dir.resolve("staging")).resolve("big.bin");
        TestTrees.random(file, 24 * MIB, 24);
        TreeSnapshot source = TreeSnapshot.of(file);
        long streamSize = E2e.streamSize(file, "none", MIB);
        int port = E2e.freePort();

        try (ChokeProxy proxy = new ChokeProxy(port)) {
            String[] run = E2e.run(dir, port, "-Dcaravan.sender.url=" + proxy.url(), "-Dcaravan.sender.codec=none",
                    "-Dcaravan.sender.chunk-size=1MiB");
            proxy.stallAfter(8 * MIB);
            CaravanProcess first = processes.start(dir, "run", run).awaitHttpReady(port);
            E2e.drop(file, outbox);

            String[] sid = new String[1];
            await("the journal names the session").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> (sid[0] = E2e.journalSessionId(dir.resolve("state"))) != null);
            await("4 chunks held by the receiver").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> E2e.status(port, sid[0]).path("chunks").size() >= 4);
            await("the sender stalled mid-transfer").atMost(Duration.ofSeconds(30)).until(proxy::stalled);
            int heldAtStop = E2e.status(port, sid[0]).path("chunks").size();

            long signalled = System.nanoTime();
            first.signal("INT");
            int exit = first.awaitExit(Duration.ofSeconds(30));
            long stopMillis = (System.nanoTime() - signalled) / 1_000_000;
            String log = first.log();
            System.out.println("caravan run stopped " + stopMillis + " ms after Ctrl-C, exit " + exit + ":\n" + log);
            assertThat(exit).as(log).isEqualTo(130);
            assertThat(stopMillis).as("milliseconds from Ctrl-C to exit:\n%s", log).isLessThan(5_000);
            assertThat(log).contains("interrupted: stopping").contains("parcel 'big.bin' stays in the outbox, resumable");
            assertThat(outbox.resolve("big.bin")).as("the parcel is still in the outbox").exists();
            assertThat(outbox.resolve(".failed")).doesNotExist();
            assertThat(E2e.journalSessionId(dir.resolve("state"))).as("the journal keeps the session").isEqualTo(sid[0]);

            proxy.dropConnections();
            proxy.open();
            processes.start(dir, "run", run);
            await("the parcel in the inbox").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                    .until(() -> E2e.sameTree(source, dir.resolve("inbox/big.bin")));
            await("its source in outbox/.sent").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> Files.exists(outbox.resolve(".sent/big.bin")));
            assertThat(outbox.resolve(".failed")).doesNotExist();
            assertThat(E2e.bytesReceived(port)).as("chunk bytes the restarted receiver stored (resumed, not restarted)")
                    .isLessThanOrEqualTo(streamSize - heldAtStop * MIB);
        }
    }
}
