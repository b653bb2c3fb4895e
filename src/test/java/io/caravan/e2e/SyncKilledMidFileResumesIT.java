package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caravan.TestTrees;
import io.caravan.util.TreeSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code caravan sync --once} killed with {@code kill -9} while a 64 MiB file travels, then run
 * again: the rerun resumes the receiver's session of that file, sending only the chunks the
 * receiver does not hold, and leaves no session behind on the receiver nor in the sync journal.
 * <p>
 * The upload goes through a {@link ChokeProxy} that stalls it after 28 MiB, so the kill lands
 * mid-file with chunks stored whatever the machine's speed; the proxy counts what the rerun sends.
 */
class SyncKilledMidFileResumesIT {

    private static final long MIB = 1L << 20;
    private static final long CHUNK = 8 * MIB;
    private static final long SIZE = 64 * MIB;

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    @Test
    void theRerunSendsOnlyWhatTheReceiverLacks() throws Exception {
        Path source = Files.createDirectories(dir.resolve("source"));
        TestTrees.random(source.resolve("big.bin"), SIZE, 64);
        Path state = dir.resolve("state");
        int port = E2e.freePort();
        processes.start(dir, "serve", SyncE2e.serve(port, dir.resolve("inbox"))).awaitHttpReady(port);

        try (ChokeProxy proxy = new ChokeProxy(port)) {
            String[] sync = SyncE2e.syncTo(source, proxy.url(), state, "--once");
            proxy.stallAfter(28 * MIB);
            CaravanProcess first = processes.start(dir, "sync", sync);
            String[] sid = new String[1];
            await("the sync journal names the session").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        List<String> sessions = SyncE2e.journalSessions(state);
                        sid[0] = sessions.size() == 1 ? sessions.get(0) : null;
                        return sid[0] != null;
                    });
            await("2 chunks held by the receiver").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> E2e.status(port, sid[0]).path("chunks").size() >= 2);
            await("the sync stalled mid-file").atMost(Duration.ofSeconds(30)).until(proxy::stalled);
            assertThat(first.isAlive()).as("the first sync is still in the middle of the file").isTrue();
            first.kill();
            proxy.dropConnections();
            int held = E2e.status(port, sid[0]).path("chunks").size();

            proxy.open();
            long before = proxy.forwarded();
            CaravanProcess second = processes.start(dir, "sync", sync);
            assertThat(second.awaitExit(Duration.ofSeconds(120))).as(second.log()).isZero();
            long sent = proxy.forwarded() - before;

            E2e.assertSameTree(TreeSnapshot.of(source), dir.resolve("inbox/mirror"));
            System.out.printf("%d chunks held at the kill; the rerun sent %d bytes for a %d-byte file%n", held, sent, SIZE);
            assertThat(sent).as("bytes the rerun sent, %d of the file's chunks being on the receiver", held)
                    .isLessThanOrEqualTo(SIZE - held * CHUNK + MIB);
            assertThat(second.log()).contains("Resumed big.bin: " + held + " chunks were already on the receiver");
            assertThat(E2e.openSessions(port)).as("sessions left on the receiver").isZero();
            assertThat(SyncE2e.journalSessions(state)).as("sessions left in the sync journal").isEmpty();
        }
    }
}
