package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.TestTrees;
import io.caravan.receiver.ReceiverFixture;
import io.caravan.receiver.RunningReceiver;
import io.caravan.util.TreeSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code caravan sync --once} with its default settings (5 workers, 8 MiB chunks) in the launcher's
 * default heap, of five files of 30 MB that do not compress, each its own parcel of several chunks:
 * the workers take turns for the memory their chunks need, and the pass mirrors every file. A heap
 * too small for even one parcel's chunks is refused before anything is sent, saying what to do.
 */
class SyncOfLargeFilesInDefaultHeapIT {

    /** The launcher's JVM options when JAVA_OPTS is not set (see the {@code caravan} script). */
    static final List<String> LAUNCHER_DEFAULTS = List.of("-Xms32m", "-Xmx160m", "-XX:MaxDirectMemorySize=128m",
            "-XX:+UseSerialGC", "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30", "-Djdk.nio.maxCachedBufferSize=262144");

    @TempDir
    Path dir;
    @RegisterExtension
    final RunningReceiver running = RunningReceiver.at(() -> dir.resolve("inbox"));
    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @Test
    void fiveLargeFilesAreMirroredWithTheDefaultWorkers(ReceiverFixture receiver) throws Exception {
        Path source = Files.createDirectories(dir.resolve("P"));
        for (int i = 1; i <= 5; i++) {
            TestTrees.random(source.resolve("file" + i + ".bin"), 30_000_000, i);
        }

        CaravanProcess sync = processes.start(dir, "sync", LAUNCHER_DEFAULTS, SyncE2e.sync(source, receiver.port(),
                dir.resolve("state"), "--once"));

        assertThat(sync.awaitExit(Duration.ofSeconds(60))).as(sync.log()).isZero();
        assertThat(sync.log()).doesNotContain("OutOfMemoryError").contains("Results: 5 synced, 0 failed")
                .contains("Memory: 5 workers, large files 2 at a time");
        E2e.assertSameTree(TreeSnapshot.of(source), receiver.inbox().resolve("mirror"));
    }

    @Test
    void aHeapTooSmallForEvenOneParcelIsRefusedBeforeAnythingIsSent(ReceiverFixture receiver) throws Exception {
        Path source = Files.createDirectories(dir.resolve("P"));
        TestTrees.random(source.resolve("file.bin"), 30_000_000, 1);
        List<String> small = new java.util.ArrayList<>(LAUNCHER_DEFAULTS);
        small.set(1, "-Xmx48m");

        CaravanProcess sync = processes.start(dir, "sync", small, SyncE2e.sync(source, receiver.port(), dir.resolve("state"),
                "--once"));

        assertThat(sync.awaitExit(Duration.ofSeconds(30))).as(sync.log()).isNotZero();
        assertThat(sync.log()).contains("chunk size 8.0 MiB with 1 chunks in parallel keeps about 32.0 MiB of chunks in memory",
                "for one of 5 workers' parcels", "raise the heap (JAVA_OPTS=-Xmx...)").doesNotContain("OutOfMemoryError");
        assertThat(receiver.inbox().resolve("mirror")).doesNotExist();
    }
}
