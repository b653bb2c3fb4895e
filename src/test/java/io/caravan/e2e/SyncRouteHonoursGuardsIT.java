package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caravan.TestTrees;
import io.caravan.unpack.Staging;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code caravan run}'s sync route honours {@code caravan.sync.exclude} / {@code .include}, refuses
 * a pass that deletes more than {@code caravan.sync.max-delete}, and refuses to empty the mirror
 * when the source folder becomes empty, each time saying which property allows it.
 */
class SyncRouteHonoursGuardsIT {

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    @Test
    void excludesApplyAndRefusedPassesChangeNothing() throws Exception {
        Path source = Files.createDirectories(dir.resolve("site"));
        for (String file : new String[] {"a.txt", "b.tmp", "keep.tmp", "cache/c.bin", "d/e.txt"}) {
            Files.createDirectories(source.resolve(file).getParent());
            TestTrees.write(source.resolve(file), "content of " + file + "\n");
        }
        int port = E2e.freePort();
        CaravanProcess run = processes.start(dir, "run", E2e.run(dir, port, "-Dcaravan.sync.dir=" + source,
                "-Dcaravan.sync.name=mirror", "-Dcaravan.sync.period=500", "-Dcaravan.sync.exclude=*.tmp, cache/",
                "-Dcaravan.sync.include=keep.tmp", "-Dcaravan.sync.max-delete=0"));
        run.awaitHttpReady(port);
        Path mirror = dir.resolve("inbox/mirror");
        List<String> expected = List.of("a.txt", "d/", "d/e.txt", "keep.tmp");
        await("mirror without the excluded entries").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> Files.isDirectory(mirror) && SyncE2e.names(mirror).equals(expected));

        Files.delete(source.resolve("a.txt"));
        await("the deletion refused").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> run.log().contains("this pass would delete 1 entry of mirror 'mirror' (a.txt), more than the limit of 0"));
        assertThat(run.log()).contains("set caravan.sync.max-delete=1 to allow it");
        assertThat(SyncE2e.names(mirror)).isEqualTo(expected);

        try (Stream<Path> children = Files.list(source)) {
            for (Path child : children.toList()) {
                Staging.deleteTree(child);
            }
        }
        await("the refusal logged").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> run.log().contains("is empty but mirror 'mirror' holds 4 entries"));
        assertThat(run.log()).contains("set caravan.sync.allow-empty-source=true to mirror an empty folder");
        assertThat(SyncE2e.names(mirror)).isEqualTo(expected);
    }
}
