package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.TestTrees;
import io.caravan.util.TreeSnapshot;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --mode full} resends every file of an unchanged tree (the receiver gets about the whole
 * tree again), where an incremental pass of the same tree sends nothing.
 */
class SyncFullModeResendsIT {

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    @Test
    void fullModeSendsEverythingIncrementalNothing() throws Exception {
        Path source = SyncTrees.tree(dir, "tree", 100);
        TestTrees.random(source.resolve("noise.bin"), 3 << 20, 5);
        int port = E2e.freePort();
        processes.start(dir, "serve", SyncE2e.serve(port, dir.resolve("inbox"))).awaitHttpReady(port);
        once(source, port);
        E2e.assertSameTree(TreeSnapshot.of(source), dir.resolve("inbox/mirror"));

        long before = SyncE2e.bytesReceived(port);
        assertThat(once(source, port)).contains("0 files need synchronization");
        assertThat(SyncE2e.bytesReceived(port)).as("incremental pass of an unchanged tree").isEqualTo(before);

        String full = once(source, port, "--mode", "full");
        assertThat(full).contains("Starting full sync", "Found 115 files to sync", "Full sync: 115/115 (100.0%)",
                "Results: 115 synced, 0 failed, 0 skipped");
        assertThat(SyncE2e.bytesReceived(port) - before).as("full pass resends the 3 MiB of noise").isGreaterThan(3L << 20);
        E2e.assertSameTree(TreeSnapshot.of(source), dir.resolve("inbox/mirror"));
    }

    private String once(Path source, int port, String... extra) throws Exception {
        String[] args = SyncE2e.sync(source, port, dir.resolve("state"), extra);
        String[] withOnce = java.util.Arrays.copyOf(args, args.length + 1);
        withOnce[args.length] = "--once";
        CaravanProcess sync = processes.start(dir, "sync", withOnce);
        assertThat(sync.awaitExit(Duration.ofSeconds(60))).as(sync.log()).isZero();
        return sync.log();
    }
}
