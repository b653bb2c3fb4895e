package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caravan.TestTrees;
import io.caravan.util.TreeSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A receiver stopped in the middle of a transfer is not a final failure for {@code caravan run
 * --role sender}: once its chunk retries are used up the parcel stays in the outbox (never in
 * {@code .failed/}), and when the receiver is back the parcel is resumed and published. The upload
 * goes through a {@link ChokeProxy} that stalls it after 8 MiB, so the receiver stops mid-transfer.
 */
class ReceiverStoppedMidTransferIsWaitedForIT {

    private static final long MIB = 1L << 20;

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    @Test
    void theParcelWaitsInTheOutboxAndResumesWhenTheReceiverIsBack() throws Exception {
        Path outbox = dir.resolve("outbox");
        Path file = Files.createDirectories(dir.resolve("staging")).resolve("big.bin");
        TestTrees.random(file, 24 * MIB, 7);
        TreeSnapshot source = TreeSnapshot.of(file);
        int port = E2e.freePort();
        CaravanProcess serve = processes.start(dir, "serve", E2e.serve(port, dir.resolve("inbox"))).awaitHttpReady(port);

        try (ChokeProxy proxy = new ChokeProxy(port)) {
            proxy.stallAfter(8 * MIB);
            CaravanProcess sender = processes.start(dir, "sender", E2e.run(dir, port, "--role", "sender",
                    "-Dcaravan.sender.url=" + proxy.url(), "-Dcaravan.sender.codec=none", "-Dcaravan.sender.chunk-size=1MiB",
                    "-Dcaravan.sender.retries=1"));
            E2e.drop(file, outbox);
            String[] sid = new String[1];
            await("the journal names the session").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> (sid[0] = E2e.journalSessionId(dir.resolve("state"))) != null);
            await("the sender stalled mid-transfer").atMost(Duration.ofSeconds(60)).until(proxy::stalled);

            serve.signal("TERM");
            serve.awaitExit(Duration.ofSeconds(30));
            proxy.dropConnections();
            proxy.open();
            await("the sender keeps the parcel for later").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> sender.log().contains("parcel 'big.bin' stays in the outbox, resumable"));
            assertThat(outbox.resolve(".failed")).doesNotExist();
            assertThat(outbox.resolve("big.bin")).exists();

            processes.start(dir, "serve", E2e.serve(port, dir.resolve("inbox"))).awaitHttpReady(port);
            await("the parcel in the inbox").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                    .until(() -> E2e.sameTree(source, dir.resolve("inbox/big.bin")));
            await("its source in outbox/.sent").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> Files.exists(outbox.resolve(".sent/big.bin")));
            assertThat(outbox.resolve(".failed")).doesNotExist();
            assertThat(sender.log()).contains("resuming parcel 'big.bin' in session " + sid[0]);
        }
    }
}
