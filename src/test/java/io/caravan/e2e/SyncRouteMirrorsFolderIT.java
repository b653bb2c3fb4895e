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

/** {@code caravan run} with {@code caravan.sync.dir} set keeps a mirror in the inbox through the sync route: creates, changes and deletions. */
class SyncRouteMirrorsFolderIT {

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    @Test
    void timerRouteConvergesTheMirror() throws Exception {
        Path source = TestTrees.fidelityTree(dir, "site");
        int port = E2e.freePort();
        processes.start(dir, "run", E2e.run(dir, port, "-Dcaravan.sync.dir=" + source, "-Dcaravan.sync.name=mirror/site",
                "-Dcaravan.sync.period=500")).awaitHttpReady(port);
        Path mirror = dir.resolve("inbox/mirror/site");
        await("initial mirror").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> E2e.sameTree(TreeSnapshot.of(source), mirror));

        TestTrees.write(source.resolve("new file.txt"), "created while running\n");
        TestTrees.write(source.resolve("plain.txt"), "changed\n");
        Files.delete(source.resolve("random.bin"));
        await("changes mirrored").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> E2e.sameTree(TreeSnapshot.of(source), mirror));
    }
}
