package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caravan.TestTrees;
import io.caravan.unpack.Staging;
import io.caravan.util.TreeSnapshot;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code caravan sync} watching: after the first pass, each change — create, modify, append to a
 * large file, delete, rename a file, rename a folder, delete a folder — reaches the mirror within
 * 5 seconds, identical entry by entry; renaming a 20 MB file moves it on the mirror without its
 * content crossing the wire.
 */
class SyncWatchConvergesIT {

    private static final Duration CONVERGE = Duration.ofSeconds(5);

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    private Path source;
    private Path mirror;

    @Test
    void everyChangeConvergesWithinFiveSeconds() throws Exception {
        source = SyncTrees.tree(dir, "watched tree", 500);
        TestTrees.random(source.resolve("big.bin"), 20 << 20, 3);
        mirror = dir.resolve("inbox/mirror");
        int port = E2e.freePort();
        processes.start(dir, "serve", SyncE2e.serve(port, dir.resolve("inbox"))).awaitHttpReady(port);
        CaravanProcess sync = processes.start(dir, "sync", SyncE2e.sync(source, port, dir.resolve("state"), "--settle", "300ms"));
        await("first pass").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> sync.log().contains("Watching "));
        converges("first pass");

        TestTrees.write(source.resolve("created 新.txt"), "created while watching\n");
        converges("create");
        TestTrees.write(source.resolve("中文 文件.txt"), "modified while watching, longer\n");
        converges("modify");
        try (OutputStream out = Files.newOutputStream(source.resolve("big.bin"), StandardOpenOption.APPEND)) {
            out.write(new byte[1 << 20]);
        }
        converges("append to a large file");
        Files.delete(source.resolve("فارسی.txt"));
        converges("delete a file");
        Files.move(source.resolve("한국어 파일.md"), source.resolve("bin/renamed 파일.md"));
        converges("rename a file");
        Files.move(source.resolve("many/文件夹 1"), source.resolve("many/folder renamed"));
        converges("rename a folder");
        Staging.deleteTree(source.resolve("many/文件夹 2"));
        converges("delete a folder");

        long before = SyncE2e.bytesReceived(port);
        Files.move(source.resolve("big.bin"), source.resolve("empty folder/big moved.bin"));
        converges("rename a large file");
        long sent = SyncE2e.bytesReceived(port) - before;
        assertThat(sent).as("bytes received for a 21 MB rename").isLessThan((21L << 20) / 100);
        // each line is printed once the receiver has answered, which can be just after the tree changed
        await("the sync reports each change").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(sync.log()).contains("Renamed: big.bin -> empty folder/big moved.bin",
                        "Created: created 新.txt", "Deleted: many/文件夹 2"));
    }

    private void converges(String step) throws Exception {
        TreeSnapshot expected = TreeSnapshot.of(source);
        await(step).atMost(CONVERGE).pollInterval(Duration.ofMillis(100)).until(() -> E2e.sameTree(expected, mirror));
    }
}
