package io.caravan.pack;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.PackUnpack;
import io.caravan.TestTrees;
import io.caravan.progress.ProgressListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The same input and options give byte-identical parts. */
class DeterminismTest {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"zstd", "gzip", "bzip2", "xz", "lz4", "none"})
    void packingTwiceGivesIdenticalParts(String codec) throws IOException {
        Path source = TestTrees.fidelityTree(tmp.resolve("src"), "tree");
        Manifest first = PackUnpack.pack(source, tmp.resolve("a/tree"), codec, 50_000);
        // reading the files changes their access times; that must not matter
        Manifest second = PackUnpack.pack(source, tmp.resolve("b/tree"), codec, 50_000);
        assertThat(second.chunks()).isEqualTo(first.chunks());
        assertThat(second.sha256()).isEqualTo(first.sha256());
        for (ChunkInfo chunk : first.chunks()) {
            assertThat(Files.readAllBytes(PartFiles.part(tmp.resolve("b/tree"), chunk.index())))
                    .isEqualTo(Files.readAllBytes(PartFiles.part(tmp.resolve("a/tree"), chunk.index())));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"zstd"})
    void zstdOutputDoesNotDependOnTheNumberOfWorkers(String ignored) throws IOException {
        Path source = TestTrees.fidelityTree(tmp.resolve("src"), "tree");
        Manifest many = PackUnpack.pack(java.util.List.of(source), tmp.resolve("many/tree"),
                new PackOptions(new ZstdCodec(4), 3, 50_000, "p"), ProgressListener.NONE);
        Manifest one = PackUnpack.pack(java.util.List.of(source), tmp.resolve("one/tree"),
                new PackOptions(new ZstdCodec(1), 3, 50_000, "p"), ProgressListener.NONE);
        assertThat(one.sha256()).isEqualTo(many.sha256());
    }
}
