package io.caravan.pack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.fs.ConfinedDir;
import io.caravan.progress.ProgressListener;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tree is counted as its zip would hold it (folders, files and links; special files are left out),
 * the count stopping one past the bound, and a {@link ZipTreeWriter} never writes more entries than
 * its bound (a tree that grew after it was counted fails its zip).
 */
class ZipEntryBoundTest {

    @TempDir
    Path tmp;

    /**
     * Counting stops past the bound without the folder's whole listing in memory: a published folder of 300,000
     * entries listed, sorted, for each of 16 zip requests at once (before the archive threads bound them) ran a
     * receiver's 160 MiB heap out. Measured here as the bytes the counting thread allocates.
     */
    @Test
    void aFolderOfManyEntriesIsCountedWithoutItsWholeListingInMemory() throws Exception {
        Path flat = Files.createDirectories(tmp.resolve("flat"));
        for (int i = 0; i < 40_000; i++) {
            Files.createFile(flat.resolve("an-entry-with-a-long-enough-name-" + i));
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        try (ConfinedDir parent = ConfinedDir.open(tmp)) {
            new ZipEntryBound(10).count(parent, "flat"); // warm-up
            long before = threads.getCurrentThreadAllocatedBytes();
            assertThat(new ZipEntryBound(10).count(parent, "flat")).isEqualTo(11);
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertThat(allocated).as("bytes allocated to count past a bound of 10").isLessThan(1L << 20);
        }
    }

    @Test
    void aTreeIsCountedAsItsZipHoldsItAndTheCountStopsPastTheBound() throws Exception {
        Path tree = Files.createDirectories(tmp.resolve("tree/sub"));
        for (int i = 0; i < 5; i++) {
            Files.writeString(tree.resolve("f" + i), "x");
        }
        Files.createSymbolicLink(tree.resolve("link"), Path.of("f0"));
        Process mkfifo = new ProcessBuilder("mkfifo", tree.resolve("fifo").toString()).start();
        assertThat(mkfifo.waitFor()).isZero();

        try (ConfinedDir parent = ConfinedDir.open(tmp)) {
            assertThat(new ZipEntryBound(100).count(parent, "tree")).isEqualTo(1 + 1 + 5 + 1);
            assertThat(new ZipEntryBound(3).count(parent, "tree")).isEqualTo(4);
            assertThat(new ZipEntryBound(3).exceededBy(4)).isTrue();
            assertThat(new ZipEntryBound(3).exceededBy(3)).isFalse();
        }
    }

    @Test
    void aWriterFailsPastItsBound() throws Exception {
        Path tree = Files.createDirectories(tmp.resolve("tree"));
        for (int i = 0; i < 5; i++) {
            Files.writeString(tree.resolve("f" + i), "x");
        }
        try (ConfinedDir parent = ConfinedDir.open(tmp)) {
            assertThatThrownBy(() -> new ZipTreeWriter(ProgressListener.NONE, 1, new ZipEntryBound(4))
                    .write(parent, "tree", "tree", new ByteArrayOutputStream()))
                    .hasMessageContaining("more than 4 entries");
            new ZipTreeWriter(ProgressListener.NONE, 1, new ZipEntryBound(6)).write(parent, "tree", "tree", new ByteArrayOutputStream());
        }
    }

    @Test
    void theHeapToGiveIsAtLeastTwiceTodaysAndRoundedUp() {
        long heapMib = ZipEntryBound.heapMib();
        String heap = ZipEntryBound.heapFor(1, 2);
        long mib = heap.endsWith("g") ? Long.parseLong(heap.substring(4, heap.length() - 1)) * 1024
                : Long.parseLong(heap.substring(4, heap.length() - 1));
        assertThat(mib).isGreaterThanOrEqualTo(2 * heapMib).isLessThan(2 * heapMib + 256);
        assertThat(ZipEntryBound.heapFor(1_000_000, 2)).isEqualTo(heapMib * 2 > 2048 ? heap : "-Xmx2g");
    }
}
