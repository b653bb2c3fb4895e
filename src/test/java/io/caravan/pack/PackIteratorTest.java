package io.caravan.pack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.PackUnpack;
import io.caravan.TestTrees;
import io.caravan.progress.ProgressListener;
import io.caravan.util.Sha256;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chunk iterator yields the same chunks as the part files, marks the last, then knows the manifest. */
class PackIteratorTest {

    @TempDir
    Path tmp;

    @Test
    void yieldsTheSameChunksAsThePartFilesAndMarksTheLast() throws Exception {
        Path source = TestTrees.fidelityTree(tmp, "tree");
        Manifest onDisk = PackUnpack.pack(source, tmp.resolve("parts/tree"), "gzip", 40_000);
        List<Chunk> chunks = new ArrayList<>();
        try (PackIterator iterator = new PackIterator(new Packer(PackUnpack.options("gzip", 40_000), ProgressListener.NONE),
                List.of(source))) {
            assertThatThrownBy(iterator::manifest).isInstanceOf(IllegalStateException.class);
            iterator.forEachRemaining(chunks::add);
            assertThat(iterator.manifest().chunks()).isEqualTo(onDisk.chunks());
        }
        assertThat(chunks).hasSize(onDisk.totalChunks());
        for (Chunk chunk : chunks) {
            assertThat(chunk.last()).isEqualTo(chunk.index() == chunks.size() - 1);
            assertThat(chunk.sha256()).isEqualTo(Sha256.of(chunk.data(), 0, chunk.size()));
            assertThat(chunk.data()).isEqualTo(Files.readAllBytes(PartFiles.part(tmp.resolve("parts/tree"), chunk.index())));
        }
    }

    @Test
    void aMissingSourceFailsTheIterationWithItsName() {
        PackIterator iterator = new PackIterator(new Packer(PackUnpack.options("zstd", 1000), ProgressListener.NONE),
                List.of(tmp.resolve("nope")));
        assertThatThrownBy(iterator::hasNext).hasMessageContaining("source not found").hasMessageContaining("nope");
        iterator.close();
    }

    @Test
    void closingEarlyStopsThePackingThread() throws Exception {
        Path big = tmp.resolve("big.bin");
        TestTrees.random(big, 5_000_000, 9);
        PackIterator iterator = new PackIterator(new Packer(PackUnpack.options("none", 10_000), ProgressListener.NONE),
                List.of(big));
        assertThat(iterator.next().index()).isZero();
        iterator.close();
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("caravan-pack-parcel") && t.isAlive());
    }

    /** A split that ends early closes the iterator while another of its threads waits for the next chunk: that wait ends. */
    @Test
    void closingEndsTheWaitOfANextInAnotherThread() throws Exception {
        Path big = tmp.resolve("big.bin");
        TestTrees.random(big, 8_000_000, 13);
        PackIterator iterator = new PackIterator(new Packer(PackUnpack.options("xz", 64 * 1024), ProgressListener.NONE),
                List.of(big));
        CompletableFuture<Void> taking = CompletableFuture.runAsync(() -> iterator.forEachRemaining(chunk -> { }));
        Thread.sleep(300);
        iterator.close();
        taking.get(2, TimeUnit.SECONDS);
        assertThat(iterator.hasNext()).isFalse();
    }
}
