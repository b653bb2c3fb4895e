package io.caravan.e2e;

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
 * A receiver killed while {@code caravan sync} watches, and started again on the same inbox: what
 * changed while it was down (created, modified, deleted, renamed) reaches the mirror once it is
 * back, because the watcher retries with backoff and re-diffs.
 */
class SyncWatchSurvivesReceiverRestartIT {

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    @Test
    void changesMadeWhileTheReceiverIsDownArriveAfterItIsBack() throws Exception {
        Path source = SyncTrees.tree(dir, "tree", 200);
        Path inbox = dir.resolve("inbox");
        Path mirror = inbox.resolve("mirror");
        int port = E2e.freePort();
        CaravanProcess serve = processes.start(dir, "serve", SyncE2e.serve(port, inbox)).awaitHttpReady(port);
        CaravanProcess sync = processes.start(dir, "sync", SyncE2e.sync(source, port, dir.resolve("state"), "--settle", "300ms"));
        await("first pass").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> sync.log().contains("Watching "));
        E2e.assertSameTree(TreeSnapshot.of(source), mirror);

        serve.kill();
        TestTrees.write(source.resolve("while down.txt"), "written while the receiver was down\n");
        TestTrees.write(source.resolve("plain.txt"), "modified while the receiver was down\n");
        Files.delete(source.resolve("random.bin"));
        Files.move(source.resolve("many/文件夹 5"), source.resolve("many/moved while down"));
        await("the sender noticed").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> sync.log().contains("Sync pass failed"));

        processes.start(dir, "serve", SyncE2e.serve(port, inbox)).awaitHttpReady(port);
        TreeSnapshot expected = TreeSnapshot.of(source);
        await("mirror repaired").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> E2e.sameTree(expected, mirror));
    }
}
