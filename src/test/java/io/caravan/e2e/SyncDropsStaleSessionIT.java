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
 * A sync killed while a large file travels, whose file is then deleted from the source: the next
 * pass has no parcel that can reuse the session the journal knows, so it deletes it on the receiver
 * ({@code DELETE /sessions/{sid}}) instead of leaving its chunks there until they expire.
 */
class SyncDropsStaleSessionIT {

    private static final long MIB = 1L << 20;

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    @Test
    void aSessionNoParcelCanReuseIsDeleted() throws Exception {
        Path source = Files.createDirectories(dir.resolve("source"));
        TestTrees.random(source.resolve("big.bin"), 40 * MIB, 40);
        Path state = dir.resolve("state");
        int port = E2e.freePort();
        processes.start(dir, "serve", SyncE2e.serve(port, dir.resolve("inbox"))).awaitHttpReady(port);

        try (ChokeProxy proxy = new ChokeProxy(port)) {
            String[] sync = SyncE2e.syncTo(source, proxy.url(), state, "--once");
            proxy.stallAfter(12 * MIB);
            CaravanProcess first = processes.start(dir, "sync", sync);
            await("the sync stalled mid-file").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> proxy.stalled() && SyncE2e.journalSessions(state).size() == 1);
            first.kill();
            proxy.dropConnections();
            assertThat(E2e.openSessions(port)).as("the interrupted session").isEqualTo(1);

            Files.delete(source.resolve("big.bin"));
            TestTrees.write(source.resolve("small.txt"), "what the source holds now\n");
            proxy.open();
            CaravanProcess second = processes.start(dir, "sync", sync);
            assertThat(second.awaitExit(Duration.ofSeconds(60))).as(second.log()).isZero();
        }
        E2e.assertSameTree(TreeSnapshot.of(source), dir.resolve("inbox/mirror"));
        assertThat(E2e.openSessions(port)).as("sessions left on the receiver").isZero();
        assertThat(SyncE2e.journalSessions(state)).as("sessions left in the sync journal").isEmpty();
    }
}
