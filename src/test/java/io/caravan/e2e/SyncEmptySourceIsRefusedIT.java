package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.unpack.Staging;
import io.caravan.util.TreeSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code caravan sync --once} of a source folder that became empty (an unmounted disk, a wrong
 * folder) while its mirror holds entries changes nothing, exits 1 and says why and how to allow it;
 * with {@code --allow-empty-source} the same pass empties the mirror.
 */
class SyncEmptySourceIsRefusedIT {

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    @Test
    void anEmptySourceLeavesTheMirrorAloneUnlessAllowed() throws Exception {
        Path source = SyncTrees.tree(dir, "source", 40);
        Path mirror = dir.resolve("inbox/mirror");
        int port = E2e.freePort();
        processes.start(dir, "serve", SyncE2e.serve(port, dir.resolve("inbox"))).awaitHttpReady(port);
        CaravanProcess first = processes.start(dir, "sync", SyncE2e.sync(source, port, dir.resolve("state"), "--once"));
        assertThat(first.awaitExit(Duration.ofSeconds(60))).as(first.log()).isZero();
        TreeSnapshot mirrored = TreeSnapshot.of(mirror);
        int entries = mirrored.entries().size();

        try (Stream<Path> children = Files.list(source)) {
            for (Path child : children.toList()) {
                Staging.deleteTree(child);
            }
        }
        CaravanProcess refused = processes.start(dir, "sync", SyncE2e.sync(source, port, dir.resolve("state"), "--once"));
        assertThat(refused.awaitExit(Duration.ofSeconds(60))).as(refused.log()).isEqualTo(1);
        assertThat(refused.log()).contains("source " + source + " is empty but mirror 'mirror' holds " + entries
                + " entries: nothing was changed; pass --allow-empty-source to mirror an empty folder");
        assertThat(mirrored.differences(TreeSnapshot.of(mirror))).as("changes to the mirror").isEmpty();

        CaravanProcess allowed = processes.start(dir, "sync", SyncE2e.sync(source, port, dir.resolve("state"), "--once",
                "--allow-empty-source"));
        assertThat(allowed.awaitExit(Duration.ofSeconds(60))).as(allowed.log()).isZero();
        assertThat(SyncE2e.names(mirror)).isEmpty();
    }
}
