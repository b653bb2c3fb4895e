package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.TestTrees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code caravan sync --include/--exclude} with a {@code .caravanignore} in the source root: excluded
 * entries are not sent, and excluded entries already on the mirror are not deleted (a folder gone
 * from the source keeps the excluded entries it holds on the mirror, the rest of it is deleted).
 */
class SyncExcludesAndIgnoreFileIT {

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    @Test
    void excludedEntriesAreNeitherSentNorDeleted() throws Exception {
        Path source = Files.createDirectories(dir.resolve("source"));
        for (String file : new String[] {"keep.txt", "a.tmp", "keep.tmp", "cache/x.bin", "sub/cache/y.bin", "sub/z.txt",
                "logs/app.log", "logs/important.log", "build/out.o", "src/build/kept.o"}) {
            Files.createDirectories(source.resolve(file).getParent());
            TestTrees.write(source.resolve(file), "content of " + file + "\n");
        }
        TestTrees.write(source.resolve(".caravanignore"), "# not mirrored\n!important.log\n*.log\n/build\n");
        Path mirror = Files.createDirectories(dir.resolve("inbox/mirror"));
        Files.createDirectories(mirror.resolve("gone"));
        TestTrees.write(mirror.resolve("old.tmp"), "only on the mirror, excluded\n");
        TestTrees.write(mirror.resolve("gone/old.txt"), "only on the mirror\n");
        TestTrees.write(mirror.resolve("gone/scratch.tmp"), "only on the mirror, excluded\n");
        int port = E2e.freePort();
        processes.start(dir, "serve", SyncE2e.serve(port, dir.resolve("inbox"))).awaitHttpReady(port);

        CaravanProcess sync = processes.start(dir, "sync", SyncE2e.sync(source, port, dir.resolve("state"), "--once",
                "--include", "keep.tmp", "--exclude", "*.tmp", "--exclude=cache/"));
        assertThat(sync.awaitExit(Duration.ofSeconds(60))).as(sync.log()).isZero();

        assertThat(SyncE2e.names(mirror)).containsExactly(".caravanignore", "gone/", "gone/scratch.tmp", "keep.tmp", "keep.txt",
                "logs/", "logs/important.log", "old.tmp", "src/", "src/build/", "src/build/kept.o", "sub/", "sub/z.txt");
        assertThat(Files.readString(mirror.resolve("keep.tmp"))).isEqualTo("content of keep.tmp\n");
    }
}
