package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.TestTrees;
import io.caravan.util.TreeSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same folder sent twice under two remote names with the same sender state: the second send's
 * large files travel as references to what the receiver already stores, so it puts under 1% of
 * the first send's bytes on the wire, and both published trees equal the source.
 */
class DedupSecondSendIT {

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    @Test
    void secondSendOfTheSameFolderCostsAlmostNothing() throws Exception {
        Path photos = Files.createDirectories(dir.resolve("photos"));
        for (int i = 1; i <= 4; i++) {
            TestTrees.random(photos.resolve("IMG_000" + i + ".raw"), (3L << 20) / 2 + i * 1000, 500 + i);
        }
        TestTrees.write(Files.createDirectories(photos.resolve("notes")).resolve("readme.txt"), "four raw images\n");
        TreeSnapshot source = TreeSnapshot.of(photos);
        int port = E2e.freePort();
        processes.start(dir, "serve", E2e.serve(port, dir.resolve("inbox"))).awaitHttpReady(port);

        long firstBytes = E2e.chunkBytesOfSend(processes, dir, photos, "first", port);
        long secondBytes = E2e.chunkBytesOfSend(processes, dir, photos, "second", port);

        System.out.printf("first send: %d chunk bytes stored, second send: %d (%.3f%%)%n",
                firstBytes, secondBytes, 100.0 * secondBytes / firstBytes);
        assertThat(firstBytes).isGreaterThan(6L << 20);
        assertThat(secondBytes).as("bytes of the second send").isLessThan(firstBytes / 100);
        E2e.assertSameTree(source, dir.resolve("inbox/first"));
        E2e.assertSameTree(source, dir.resolve("inbox/second"));
    }
}
