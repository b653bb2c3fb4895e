package io.caravan.unpack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.caravan.CliRunner;
import io.caravan.PackUnpack;
import io.caravan.TestTrees;
import io.caravan.pack.ChunkInfo;
import io.caravan.pack.Manifest;
import io.caravan.pack.PartFiles;
import io.caravan.util.TreeSnapshot;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A part set whose manifest is seed 001's metadata as written there ({@code version},
 * {@code total_chunks}, {@code chunks[]} with {@code index}, {@code size}, {@code checksum}; no
 * total size, no whole-stream hash, fields Caravan does not know): {@code caravan unpack} derives
 * what is missing, still checks every part, and extracts.
 */
class SeedManifestTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    Path source;
    Path prefix;

    @BeforeEach
    void packAndRewriteTheManifestInTheSeedFormat() throws IOException {
        source = Files.createDirectories(tmp.resolve("src/tree"));
        TestTrees.random(source.resolve("big.bin"), 250_000, 7);
        TestTrees.write(source.resolve("notes.txt"), "seed format\n");
        prefix = tmp.resolve("parts/tree");
        Manifest manifest = PackUnpack.pack(source, prefix, "gzip", 100_000);
        assertThat(manifest.totalChunks()).isGreaterThan(1);
        Files.writeString(PartFiles.manifest(prefix), seedMetadata(manifest));
    }

    /** The manifest as seed 001 writes its metadata, plus fields of its own Caravan must ignore. */
    static String seedMetadata(Manifest manifest) throws IOException {
        ObjectNode seed = JSON.createObjectNode();
        seed.put("version", "1.0");
        seed.put("total_chunks", manifest.totalChunks());
        seed.put("compression", "gzip");
        ArrayNode chunks = seed.putArray("chunks");
        for (ChunkInfo chunk : manifest.chunks()) {
            ObjectNode c = chunks.addObject();
            c.put("index", chunk.index());
            c.put("size", chunk.size());
            c.put("checksum", chunk.checksum());
            c.put("filename", "tree.part" + ChunkInfo.label(chunk.index()));
        }
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(seed);
    }

    @Test
    void unpackExtractsAPartSetWithASeedManifest() throws IOException {
        Path dest = Files.createDirectories(tmp.resolve("dest"));
        CliRunner.Result result = CliRunner.run("unpack", prefix.toString(), dest.toString(), "-q");
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(TreeSnapshot.of(source).differences(TreeSnapshot.of(dest.resolve("tree")))).isEmpty();
    }

    @Test
    void everyPartIsStillCheckedAgainstTheSeedManifest() throws IOException {
        try (RandomAccessFile part = new RandomAccessFile(PartFiles.part(prefix, 1).toFile(), "rw")) {
            part.seek(10);
            int b = part.read();
            part.seek(10);
            part.write(b ^ 0xff);
        }
        Path dest = Files.createDirectories(tmp.resolve("dest"));
        CliRunner.Result result = CliRunner.run("unpack", prefix.toString(), dest.toString(), "-q");
        assertThat(result.exitCode()).as(result.err()).isEqualTo(1);
        assertThat(result.err()).contains("part 0001: SHA-256 mismatch");
        assertThat(dest).isEmptyDirectory();
    }
}
