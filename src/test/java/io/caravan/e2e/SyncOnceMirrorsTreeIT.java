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
 * {@code caravan sync --once} against a real {@code caravan serve}: the first pass mirrors a tree
 * with Unicode and space names, symlinks, empty and read-only folders and 5,000 small files entry
 * by entry; after edits (new, changed, deleted file, deleted and renamed folders, a file that became
 * a folder) a second pass makes the mirror identical again; a third finds nothing to do.
 */
class SyncOnceMirrorsTreeIT {

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    @Test
    void passesMakeTheMirrorIdentical() throws Exception {
        Path source = SyncTrees.tree(dir, "源 folder", 5_000);
        Path mirror = dir.resolve("inbox/mirror");
        int port = E2e.freePort();
        processes.start(dir, "serve", SyncE2e.serve(port, dir.resolve("inbox"))).awaitHttpReady(port);

        CaravanProcess first = processes.start(dir, "sync", SyncE2e.sync(source, port, dir.resolve("state"), "--once"));
        assertThat(first.awaitExit(Duration.ofSeconds(60))).as(first.log()).isZero();
        E2e.assertSameTree(TreeSnapshot.of(source), mirror);
        assertThat(first.log()).contains("Scanning files...", "Found 5014 files to check", "files need synchronization",
                "Incremental sync: ", "(100.0%)", "Results: 5014 synced, 0 failed, 0 skipped");

        TestTrees.write(source.resolve("new file.txt"), "new\n");
        TestTrees.write(source.resolve("plain.txt"), "changed, and longer than before\n");
        Files.delete(source.resolve("random.bin"));
        Staging.deleteTree(source.resolve("many/文件夹 3"));
        Files.move(source.resolve("many/文件夹 4"), source.resolve("many/renamed folder"));
        Files.delete(source.resolve("empty.txt"));
        Files.createDirectories(source.resolve("empty.txt/now a folder"));
        CaravanProcess second = processes.start(dir, "sync", SyncE2e.sync(source, port, dir.resolve("state"), "--once"));
        assertThat(second.awaitExit(Duration.ofSeconds(60))).as(second.log()).isZero();
        E2e.assertSameTree(TreeSnapshot.of(source), mirror);

        CaravanProcess third = processes.start(dir, "sync", SyncE2e.sync(source, port, dir.resolve("state"), "--once"));
        assertThat(third.awaitExit(Duration.ofSeconds(60))).as(third.log()).isZero();
        assertThat(third.log()).contains("0 files need synchronization", "Results: 0 synced, 0 failed");
    }
}
