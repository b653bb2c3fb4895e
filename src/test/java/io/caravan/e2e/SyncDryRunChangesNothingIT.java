package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.TestTrees;
import io.caravan.unpack.Staging;
import io.caravan.util.TreeSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code caravan sync --dry-run} prints one line per entry a pass would create, change, rename and
 * delete, then a count summary, and changes nothing on the receiver: the mirror stays as it was, no
 * chunk is received, no session is opened. Without {@code --once} it still runs one pass and exits.
 */
class SyncDryRunChangesNothingIT {

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    @Test
    void aDryRunListsThePassAndChangesNothing() throws Exception {
        Path source = SyncTrees.tree(dir, "source", 60);
        Path mirror = dir.resolve("inbox/mirror");
        int port = E2e.freePort();
        processes.start(dir, "serve", SyncE2e.serve(port, dir.resolve("inbox"))).awaitHttpReady(port);
        CaravanProcess first = processes.start(dir, "sync", SyncE2e.sync(source, port, dir.resolve("state"), "--once"));
        assertThat(first.awaitExit(Duration.ofSeconds(60))).as(first.log()).isZero();
        TreeSnapshot mirrored = TreeSnapshot.of(mirror);
        long received = SyncE2e.bytesReceived(port);

        TestTrees.write(source.resolve("new file.txt"), "created\n");
        TestTrees.write(source.resolve("한국어 파일.md"), "changed, and longer than before\n");
        Files.move(source.resolve("random.bin"), source.resolve("moved.bin"));
        Staging.deleteTree(source.resolve("many/文件夹 3"));
        CaravanProcess dry = processes.start(dir, "sync", SyncE2e.sync(source, port, dir.resolve("state"), "--once", "--dry-run"));
        assertThat(dry.awaitExit(Duration.ofSeconds(60))).as(dry.log()).isZero();
        assertThat(dry.log()).contains("Would create: new file.txt", "Would change: 한국어 파일.md",
                "Would rename: random.bin -> moved.bin", "Would delete: many/文件夹 3/ (4 entries)")
                .containsPattern("Dry run: 1 to create, \\d+ to change, 1 to rename, 1 to delete \\(4 entries\\);"
                        + " nothing was changed on the receiver");
        assertThat(mirrored.differences(TreeSnapshot.of(mirror))).as("changes to the mirror").isEmpty();
        assertThat(SyncE2e.bytesReceived(port)).as("bytes received").isEqualTo(received);
        assertThat(E2e.openSessions(port)).as("sessions opened").isZero();

        CaravanProcess watching = processes.start(dir, "sync", SyncE2e.sync(source, port, dir.resolve("state"), "--dry-run"));
        assertThat(watching.awaitExit(Duration.ofSeconds(60))).as("--dry-run without --once: " + watching.log()).isZero();
        assertThat(watching.log()).contains("Would rename: random.bin -> moved.bin");
        assertThat(mirrored.differences(TreeSnapshot.of(mirror))).as("changes to the mirror").isEmpty();
    }
}
