package io.caravan.unpack;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CliRunner;
import io.caravan.PackUnpack;
import io.caravan.TestTrees;
import io.caravan.pack.Manifest;
import io.caravan.pack.PartFiles;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each kind of damaged part set is named in the error, exits 1, and publishes nothing. */
class CorruptPartsTest {

    @TempDir
    Path tmp;

    Path prefix;
    Path dest;
    Manifest manifest;

    @BeforeEach
    void packFiveParts() throws IOException {
        Path source = Files.createDirectories(tmp.resolve("src/tree"));
        TestTrees.random(source.resolve("big.bin"), 450_000, 3);
        prefix = tmp.resolve("parts/tree");
        manifest = PackUnpack.pack(source, prefix, "zstd", 100_000);
        assertThat(manifest.totalChunks()).isEqualTo(5);
        dest = Files.createDirectories(tmp.resolve("dest"));
        Files.writeString(dest.resolve("existing.txt"), "already here");
    }

    private String unpackFails() throws IOException {
        CliRunner.Result result = CliRunner.run("unpack", prefix.toString(), dest.toString(), "-q");
        assertThat(result.exitCode()).as(result.err()).isEqualTo(1);
        try (var listing = Files.list(dest)) {
            assertThat(listing.map(p -> p.getFileName().toString()).toList())
                    .as("nothing published, no staging left, nothing removed").containsExactly("existing.txt");
        }
        return result.err();
    }

    private static void flipByte(Path file, long at) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(at);
            int b = raf.read();
            raf.seek(at);
            raf.write(b ^ 0x55);
        }
    }

    private Path part(int index) {
        return PartFiles.part(prefix, index);
    }

    @Test
    void missingPartIsNamed() throws IOException {
        Files.delete(part(3));
        assertThat(unpackFails()).contains("part 0003: missing");
    }

    @Test
    void truncatedPartIsNamed() throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(part(2).toFile(), "rw")) {
            file.setLength(50_000);
        }
        assertThat(unpackFails()).contains("part 0002: 50000 bytes, the manifest says 100000");
    }

    @Test
    void corruptedPartIsNamed() throws IOException {
        flipByte(part(3), 12_345);
        assertThat(unpackFails()).contains("part 0003: SHA-256 mismatch (expected " + manifest.chunks().get(3).checksum());
    }

    @Test
    void reorderedPartsAreNamed() throws IOException {
        Path swap = tmp.resolve("swap");
        Files.move(part(1), swap);
        Files.move(part(2), part(1));
        Files.move(swap, part(2));
        assertThat(unpackFails()).contains("part 0001: holds the bytes of part 0002 (parts renamed or reordered)");
    }

    @Test
    void partFromAnotherSetIsNamed() throws IOException {
        Path other = Files.createDirectories(tmp.resolve("other/tree"));
        TestTrees.random(other.resolve("big.bin"), 450_000, 4);
        PackUnpack.pack(other, tmp.resolve("otherparts/tree"), "zstd", 100_000);
        Files.copy(PartFiles.part(tmp.resolve("otherparts/tree"), 0), part(0), StandardCopyOption.REPLACE_EXISTING);
        assertThat(unpackFails()).contains("part 0000: SHA-256 mismatch");
    }

    @Test
    void missingManifestIsExplained() throws IOException {
        Files.delete(PartFiles.manifest(prefix));
        assertThat(unpackFails()).contains("no manifest").contains("--no-verify");
    }

    @Test
    void brokenManifestIsExplained() throws IOException {
        Files.writeString(PartFiles.manifest(prefix), "{\"total_chunks\": 5, \"chunks\": [");
        assertThat(unpackFails()).contains("manifest is not valid JSON");
    }

    /**
     * Without verification the damage shows only as the decoder fails: the error names the part file
     * it was reading and the byte in it, and says how to find the damaged part, in Caravan's words.
     */
    @Test
    void noVerifyNamesThePartWhereTheDataBrokeAndWhatToDo() throws IOException {
        flipByte(part(3), 12_345);
        assertNoVerifyErrorNamesAPart();
    }

    @Test
    void noVerifyNamesThePartWhereAShortenedPartBrokeTheData() throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(part(2).toFile(), "rw")) {
            file.setLength(50_000);
        }
        Files.delete(PartFiles.manifest(prefix)); // else the sizes it lists are checked even so
        assertNoVerifyErrorNamesAPart();
    }

    private void assertNoVerifyErrorNamesAPart() throws IOException {
        CliRunner.Result result = CliRunner.run("unpack", prefix.toString(), dest.toString(), "--no-verify", "-q");
        assertThat(result.exitCode()).as(result.err()).isEqualTo(1);
        assertThat(result.err()).containsPattern("tree\\.part000[0-4] at byte [0-9]+")
                .contains("without --no-verify").contains("copy it again")
                .doesNotContain("Restored data").doesNotContain("Destination buffer").doesNotContain("Truncated");
        try (var listing = Files.list(dest)) {
            assertThat(listing.map(p -> p.getFileName().toString()).toList()).containsExactly("existing.txt");
        }
    }

    @Test
    void noVerifyStillExtractsIntactPartsWithoutAManifest() throws IOException {
        Files.delete(PartFiles.manifest(prefix));
        CliRunner.Result result = CliRunner.run("unpack", prefix.toString(), dest.toString(), "--no-verify", "-q");
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(dest.resolve("tree/big.bin")).hasSize(450_000);
    }
}
