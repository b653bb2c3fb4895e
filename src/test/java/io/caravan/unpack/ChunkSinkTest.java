package io.caravan.unpack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.PackUnpack;
import io.caravan.TestTrees;
import io.caravan.pack.Chunk;
import io.caravan.pack.PackIterator;
import io.caravan.pack.Packer;
import io.caravan.progress.ProgressListener;
import io.caravan.util.TreeSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chunk sink extracts chunks as they come and publishes only a verified parcel. */
class ChunkSinkTest {

    @TempDir
    Path tmp;

    Path source;
    List<Chunk> chunks = new ArrayList<>();
    PackIterator iterator;

    @BeforeEach
    void pack() throws Exception {
        source = TestTrees.fidelityTree(tmp.resolve("src"), "tree");
        iterator = new PackIterator(new Packer(PackUnpack.options("zstd", 30_000), ProgressListener.NONE), List.of(source));
        iterator.forEachRemaining(chunks::add);
        assertThat(chunks.size()).isGreaterThan(3);
    }

    private Path dest() {
        return tmp.resolve("dest");
    }

    private List<Path> destContents() throws Exception {
        try (var list = Files.list(dest())) {
            return list.toList();
        }
    }

    @Test
    void extractsInOrderAndPublishesOnComplete() throws Exception {
        try (ChunkSink sink = new ChunkSink(dest(), UnpackOptions.DEFAULT, ProgressListener.NONE)) {
            for (Chunk chunk : chunks) {
                sink.accept(chunk);
            }
            assertThat(destContents()).as("nothing visible before complete")
                    .allMatch(p -> p.getFileName().toString().startsWith(Staging.PREFIX));
            UnpackResult result = sink.complete(iterator.manifest());
            assertThat(result.published()).containsExactly(dest().resolve("tree"));
        }
        assertThat(TreeSnapshot.of(source).differences(TreeSnapshot.of(dest().resolve("tree")))).isEmpty();
        assertThat(destContents()).containsExactly(dest().resolve("tree"));
    }

    @Test
    void refusesAChunkOutOfOrder() throws Exception {
        try (ChunkSink sink = new ChunkSink(dest(), UnpackOptions.DEFAULT, ProgressListener.NONE)) {
            sink.accept(chunks.get(0));
            assertThatThrownBy(() -> sink.accept(chunks.get(2)))
                    .hasMessageContaining("chunk 0002 arrived, but chunk 0001 is next");
        }
        assertThat(destContents()).isEmpty();
    }

    @Test
    void refusesAChunkWhoseHashDiffers() throws Exception {
        try (ChunkSink sink = new ChunkSink(dest(), UnpackOptions.DEFAULT, ProgressListener.NONE)) {
            Chunk first = chunks.get(0);
            byte[] damaged = first.data().clone();
            damaged[100] ^= 1;
            assertThatThrownBy(() -> sink.accept(0, damaged, first.sha256()))
                    .isInstanceOf(ChunkVerificationException.class).hasMessageContaining("chunk 0000: SHA-256 mismatch");
        }
        assertThat(destContents()).isEmpty();
    }

    @Test
    void aMissingChunkAtCompleteIsNamedAndNothingIsPublished() throws Exception {
        try (ChunkSink sink = new ChunkSink(dest(), UnpackOptions.DEFAULT, ProgressListener.NONE)) {
            for (Chunk chunk : chunks.subList(0, chunks.size() - 1)) {
                sink.accept(chunk);
            }
            assertThatThrownBy(() -> sink.complete(iterator.manifest()))
                    .hasMessageContaining("chunk " + String.format("%04d", chunks.size() - 1) + ": missing");
        }
        assertThat(destContents()).isEmpty();
    }
}
