package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.TestTrees;
import io.caravan.util.TreeSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file rewritten with the same size and mtime: an incremental pass cannot see it, a
 * {@code --checksum} pass compares SHA-256 and sends it.
 */
class SyncChecksumFindsHiddenChangeIT {

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    @Test
    void checksumFindsASameSizeSameMtimeChange() throws Exception {
        Path source = SyncTrees.tree(dir, "tree", 50);
        Path file = source.resolve("plain.txt");
        Path mirrored = dir.resolve("inbox/mirror/plain.txt");
        int port = E2e.freePort();
        processes.start(dir, "serve", SyncE2e.serve(port, dir.resolve("inbox"))).awaitHttpReady(port);
        once(source, port);
        String original = Files.readString(file);

        FileTime mtime = Files.getLastModifiedTime(file);
        TestTrees.write(file, original.toUpperCase());
        Files.setLastModifiedTime(file, mtime);
        assertThat(once(source, port)).contains("0 files need synchronization");
        assertThat(Files.readString(mirrored)).as("size and mtime match: incremental skips it").isEqualTo(original);

        assertThat(once(source, port, "--checksum")).as("plain.txt and hard-link.txt, one inode")
                .contains("2 files need synchronization", "Results: 2 synced, 0 failed");
        assertThat(Files.readString(mirrored)).isEqualTo(original.toUpperCase());
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
