package io.caravan.pack;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CliRunner;
import io.caravan.PackUnpack;
import io.caravan.TestTrees;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Chunk sizes around the stream length, empty inputs and a file larger than a chunk. */
class ChunkBoundaryTest {

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "stream length {0}")
    @ValueSource(ints = {-1, 0, 1})
    void chunkSizeOneByteUnderAtAndOverTheStreamLength(int delta) throws Exception {
        Path source = Files.createDirectories(tmp.resolve("src/tree"));
        TestTrees.random(source.resolve("data.bin"), 10_000, 5);
        long length = PackUnpack.pack(source, tmp.resolve("probe/tree"), "none", 1 << 20).totalSize();

        Manifest manifest = PackUnpack.pack(source, tmp.resolve("parts/tree"), "none", length + delta);

        assertThat(manifest.totalSize()).isEqualTo(length);
        assertThat(manifest.totalChunks()).isEqualTo(delta < 0 ? 2 : 1);
        if (delta < 0) {
            assertThat(manifest.chunks().get(1).size()).isEqualTo(1);
        }
        assertThat(PartFiles.part(tmp.resolve("parts/tree"), manifest.totalChunks())).doesNotExist();
        PackUnpack.unpack(tmp.resolve("parts/tree"), tmp.resolve("dest"));
        assertThat(tmp.resolve("dest/tree/data.bin")).hasSameBinaryContentAs(source.resolve("data.bin"));
    }

    @Test
    void aZeroByteFileRoundTrips() throws Exception {
        Path empty = Files.createFile(tmp.resolve("empty.dat"));
        Manifest manifest = PackUnpack.pack(empty, tmp.resolve("parts/empty"), "zstd", 1024);
        assertThat(manifest.contentBytes()).isZero();
        PackUnpack.unpack(tmp.resolve("parts/empty"), tmp.resolve("dest"));
        assertThat(tmp.resolve("dest/empty.dat")).isRegularFile().isEmptyFile();
    }

    @Test
    void aZeroByteArchiveIsRefusedClearly() throws Exception {
        Path empty = Files.createFile(tmp.resolve("empty.tar.zst"));
        CliRunner.Result result = CliRunner.run("unpack", empty.toString(), tmp.resolve("dest").toString(), "-q");
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("the input is empty");
    }

    @Test
    void aFileLargerThanTheChunkSizeSpansManyChunks() throws Exception {
        Path big = tmp.resolve("big.bin");
        TestTrees.random(big, 3_000_000, 6);
        Manifest manifest = PackUnpack.pack(big, tmp.resolve("parts/big"), "lz4", 64 * 1024);
        assertThat(manifest.totalChunks()).isGreaterThan(45);
        PackUnpack.unpack(tmp.resolve("parts/big"), tmp.resolve("dest"));
        assertThat(tmp.resolve("dest/big.bin")).hasSameBinaryContentAs(big);
    }

    @Test
    void repackingWithFewerPartsRemovesTheStaleOnes() throws Exception {
        Path big = tmp.resolve("big.bin");
        TestTrees.random(big, 500_000, 8);
        PackUnpack.pack(big, tmp.resolve("parts/big"), "none", 100_000);
        assertThat(PartFiles.part(tmp.resolve("parts/big"), 5)).exists();
        Manifest manifest = PackUnpack.pack(big, tmp.resolve("parts/big"), "none", 300_000);
        assertThat(manifest.totalChunks()).isEqualTo(2);
        assertThat(PartFiles.part(tmp.resolve("parts/big"), 2)).doesNotExist();
        assertThat(PartFiles.part(tmp.resolve("parts/big"), 5)).doesNotExist();
    }
}
