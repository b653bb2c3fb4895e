package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caravan.TestTrees;
import io.caravan.util.TreeSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code caravan run --transport file}: a folder dropped with its marker travels as a part set
 * ({@code <name>.partNNNN} + {@code <name>.manifest.json}) through a parts folder, is picked up,
 * verified and published identical in the inbox, and the parts folder ends empty.
 */
class FileTransportRoundTripIT {

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    @Test
    void partSetsThroughAFolderArriveIdentical() throws Exception {
        Path parts = dir.resolve("parts");
        Path outbox = dir.resolve("outbox");
        Path staging = Files.createDirectories(dir.resolve("staging"));
        Path site = TestTrees.fidelityTree(staging, "site");
        TestTrees.random(site.resolve("bundle.bin"), 700_000, 9);
        TreeSnapshot source = TreeSnapshot.of(site);
        int port = E2e.freePort();
        CaravanProcess run = processes.start(dir, "run", E2e.run(dir, port, "--transport", "file", "-Dcaravan.sender.chunk-size=256KiB",
                "-Dcaravan.sender.parts-dir=" + parts, "-Dcaravan.receiver.parts-dir=" + parts)).awaitHttpReady(port);

        E2e.drop(site, outbox);
        Files.createFile(outbox.resolve("site.ready"));

        await("the folder in the inbox").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> E2e.sameTree(source, dir.resolve("inbox/site")));
        await("the parts folder empty").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> entries(parts) == 0);
        await("the source in outbox/.sent").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> E2e.visibleEntries(outbox).isEmpty());
        E2e.assertSameTree(source, outbox.resolve(".sent/site"));
        assertThat(outbox.resolve(".failed")).doesNotExist();
        assertThat(run.log()).as("published by the part-set pickup").containsPattern("part set 'site' \\(\\d+ parts\\) verified");
    }

    private static long entries(Path dir) throws Exception {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(p -> !p.equals(dir)).count();
        }
    }
}
