package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.TestTrees;
import io.caravan.util.TreeSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code caravan sync --once --max-delete N}: a pass that would delete more than N entries of the
 * mirror changes nothing at all (no deletion, no new file), exits 1 and names the count; a limit as
 * high as the count lets the same pass through.
 */
class SyncMaxDeleteStopsPassIT {

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    @Test
    void aPassOverTheLimitChangesNothing() throws Exception {
        Path source = Files.createDirectories(dir.resolve("source"));
        for (int i = 0; i < 20; i++) {
            TestTrees.write(source.resolve("file " + i + ".txt"), "file number " + i + "\n".repeat(i + 1));
        }
        Path mirror = dir.resolve("inbox/mirror");
        int port = E2e.freePort();
        processes.start(dir, "serve", SyncE2e.serve(port, dir.resolve("inbox"))).awaitHttpReady(port);
        CaravanProcess first = processes.start(dir, "sync", SyncE2e.sync(source, port, dir.resolve("state"), "--once"));
        assertThat(first.awaitExit(Duration.ofSeconds(60))).as(first.log()).isZero();
        TreeSnapshot mirrored = TreeSnapshot.of(mirror);

        for (int i = 0; i < 5; i++) {
            Files.delete(source.resolve("file " + i + ".txt"));
        }
        TestTrees.write(source.resolve("new.txt"), "added with the deletions\n");
        CaravanProcess refused = processes.start(dir, "sync", SyncE2e.sync(source, port, dir.resolve("state"), "--once",
                "--max-delete", "3"));
        assertThat(refused.awaitExit(Duration.ofSeconds(60))).as(refused.log()).isEqualTo(1);
        assertThat(refused.log()).contains("this pass would delete 5 entries of mirror 'mirror'",
                "more than the limit of 3: nothing was changed", "pass --max-delete 5 to allow it");
        assertThat(mirrored.differences(TreeSnapshot.of(mirror))).as("changes to the mirror").isEmpty();

        CaravanProcess allowed = processes.start(dir, "sync", SyncE2e.sync(source, port, dir.resolve("state"), "--once",
                "--max-delete", "5"));
        assertThat(allowed.awaitExit(Duration.ofSeconds(60))).as(allowed.log()).isZero();
        E2e.assertSameTree(TreeSnapshot.of(source), mirror);
    }
}
