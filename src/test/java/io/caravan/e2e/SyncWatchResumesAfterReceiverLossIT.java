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
 * A watching {@code caravan sync} whose receiver dies ({@code kill -9}) while a 64 MiB file travels
 * keeps that file's session: once the receiver is back, a later pass resumes it from the chunks the
 * receiver held, instead of abandoning it and sending the whole file again in a new session.
 */
class SyncWatchResumesAfterReceiverLossIT {

    private static final long MIB = 1L << 20;
    private static final long CHUNK = 8 * MIB;
    private static final long SIZE = 64 * MIB;

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    @Test
    void theSessionOfTheInterruptedFileIsResumed() throws Exception {
        Path source = Files.createDirectories(dir.resolve("source"));
        TestTrees.random(source.resolve("big.bin"), SIZE, 65);
        Path inbox = dir.resolve("inbox");
        Path state = dir.resolve("state");
        int port = E2e.freePort();
        CaravanProcess serve = processes.start(dir, "serve", SyncE2e.serve(port, inbox)).awaitHttpReady(port);

        try (ChokeProxy proxy = new ChokeProxy(port)) {
            proxy.stallAfter(28 * MIB);
            CaravanProcess sync = processes.start(dir, "sync", SyncE2e.syncTo(source, proxy.url(), state));
            String[] sid = new String[1];
            await("the sync journal names the session").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        List<String> sessions = SyncE2e.journalSessions(state);
                        sid[0] = sessions.size() == 1 ? sessions.get(0) : null;
                        return sid[0] != null;
                    });
            await("2 chunks held and the upload stalled").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> E2e.status(port, sid[0]).path("chunks").size() >= 2 && proxy.stalled());
            int held = E2e.status(port, sid[0]).path("chunks").size();

            serve.kill();
            proxy.open();
            proxy.dropConnections();
            await("the pass failed").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> sync.log().contains("Failed: big.bin"));
            assertThat(SyncE2e.journalSessions(state)).as("sessions the journal keeps").containsExactly(sid[0]);

            long before = proxy.forwarded();
            processes.start(dir, "serve", SyncE2e.serve(port, inbox)).awaitHttpReady(port);
            TreeSnapshot expected = TreeSnapshot.of(source);
            await("mirror complete").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                    .until(() -> E2e.sameTree(expected, inbox.resolve("mirror")));
            long sent = proxy.forwarded() - before;

            System.out.printf("%d chunks held when the receiver died; %d bytes sent after it came back%n", held, sent);
            assertThat(sent).as("bytes sent after the receiver came back, %d chunks being there", held)
                    .isLessThanOrEqualTo(SIZE - held * CHUNK + MIB);
            // the line is printed once the publish has been answered, which can be just after the tree appears
            await("the sync reports the resume").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                    .untilAsserted(() -> assertThat(sync.log())
                            .contains("Resumed big.bin: " + held + " chunks were already on the receiver"));
            assertThat(E2e.openSessions(port)).as("sessions left on the receiver").isZero();
        }
    }
}
