package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.TestTrees;
import io.caravan.util.TreeSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A folder upload interrupted ({@code kill -9}) after its first chunks are stored, one file in the
 * middle of the folder rewritten meanwhile (same size, other bytes), and the same {@code caravan
 * send} run again: it resumes the session, replaces the chunks that changed, and the inbox holds
 * the changed folder.
 */
class SourceChangedWhilePausedIT {

    private static final long MIB = 1L << 20;
    private static final long FILE_SIZE = 5 * MIB / 4;

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    @Test
    void resumedUploadSendsTheChangedChunksAndPublishesTheChangedTree() throws Exception {
        Path album = Files.createDirectories(dir.resolve("album"));
        for (int i = 1; i <= 8; i++) {
            TestTrees.random(album.resolve(String.format(Locale.ROOT, "%02d.bin", i)), FILE_SIZE, i);
        }
        int port = E2e.freePort();
        processes.start(dir, "serve", E2e.serve(port, dir.resolve("inbox"))).awaitHttpReady(port);

        try (ChokeProxy proxy = new ChokeProxy(port)) {
            String[] send = {"send", album.toString(), "--to", proxy.url(), "--chunk-size", "1MiB", "--codec", "none",
                    "--parallel", "2", "--state-dir", dir.resolve("state").toString()}; // not -q: its INFO lines are checked
            proxy.stallAfter(6 * MIB + MIB / 2);
            CaravanProcess first = processes.start(dir, "send", send);
            String[] sid = new String[1];
            await("the journal names the session").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> (sid[0] = E2e.journalSessionId(dir.resolve("state"))) != null);
            // chunks 2 and 3 hold the start of 03.bin: the file changed below is already on the receiver
            await("chunks 0-3 held by the receiver").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        JsonNode chunks = E2e.status(port, sid[0]).path("chunks");
                        return chunks.has("0") && chunks.has("1") && chunks.has("2") && chunks.has("3");
                    });
            assertThat(first.isAlive()).as("the first send is paused mid-transfer").isTrue();
            first.kill();
            proxy.dropConnections();
            assertThat(Files.exists(dir.resolve("inbox/album"))).as("nothing published yet").isFalse();

            Path changed = album.resolve("03.bin");
            byte[] before = Files.readAllBytes(changed);
            TestTrees.random(changed, FILE_SIZE, 303);
            assertThat(Files.size(changed)).isEqualTo(FILE_SIZE);
            assertThat(Files.readAllBytes(changed)).isNotEqualTo(before);
            TreeSnapshot changedSource = TreeSnapshot.of(album);

            proxy.open();
            CaravanProcess second = processes.start(dir, "send", send);
            int exit = second.awaitExit(Duration.ofSeconds(120));
            String output = second.log();
            assertThat(exit).as("the resumed send:\n%s", output).isZero();
            assertThat(output).contains("resuming parcel 'album' in session " + sid[0]);
            assertThat(E2e.chunksAlreadyThere(output)).as("unchanged chunks skipped").isGreaterThanOrEqualTo(2);
            E2e.assertSameTree(changedSource, dir.resolve("inbox/album"));
            assertThat(E2e.journalEntries(dir.resolve("state"))).as("journal entries after the finish").isZero();
            assertThat(E2e.openSessions(port)).as("sessions left on the receiver").isZero();
        }
    }
}
