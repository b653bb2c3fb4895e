package io.caravan.pack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A manifest is read as it is written: a value of another JSON type than its field's (a number where a
 * text belongs, a text where a number belongs, a fraction where a whole number belongs) is refused naming
 * the field, never turned into one; so is a field given twice and a null where a chunk's index, size or a
 * file's mode belongs. The receiver's {@code /finish}, {@code caravan unpack} (a manifest file) and
 * {@code caravan get} all read a manifest through {@link Manifest}. Manifests Caravan writes, the seed's
 * metadata and fields Caravan does not know still read as before.
 */
class ManifestStrictReadingTest {

    private static final String SHA = "a".repeat(64);

    @TempDir
    Path tmp;

    /** A manifest of one 10-byte chunk with {@code field} (a JSON fragment such as {@code "chunk_size": 10}) first. */
    private static String with(String field) {
        return "{" + field + (field.isEmpty() ? "" : ",") + "\"total_chunks\":1,"
                + "\"chunks\":[{\"index\":0,\"size\":10,\"checksum\":\"" + SHA + "\"}]}";
    }

    private static void refusedNaming(String json, String... said) {
        assertThatThrownBy(() -> Manifest.fromJson(json).validate()).as(json)
                .isInstanceOf(ManifestException.class)
                .satisfies(e -> assertThat(e.getMessage()).contains(said))
                .hasMessageNotContaining("java.").hasMessageNotContaining("`");
    }

    @Test
    void aValueOfAnotherTypeThanItsFieldsIsRefusedNamingTheField() {
        refusedNaming(with("\"version\": 1.0"), "version", "text");
        refusedNaming(with("\"codec\": 5"), "codec", "text");
        refusedNaming(with("\"name\": true"), "name", "text");
        refusedNaming(with("\"chunk_size\": \"65536\""), "chunk_size", "whole number");
        refusedNaming(with("\"total_size\": 10.5"), "total_size", "whole number");
        refusedNaming(with("\"level\": true"), "level", "whole number");
        refusedNaming(with("\"entries\": \"3\""), "entries", "whole number");
        refusedNaming(with("\"file\": {\"name\": \"f\", \"mode\": \"420\", \"mtime\": \"2024-05-06T07:08:09Z\"}"),
                "file/mode", "whole number");
        refusedNaming("{\"chunks\":[{\"index\":0,\"size\":\"10\",\"checksum\":\"" + SHA + "\"}]}", "chunks/0/size", "whole number");
        refusedNaming("{\"chunks\":[{\"index\":0.0,\"size\":10,\"checksum\":\"" + SHA + "\"}]}", "chunks/0/index", "whole number");
        refusedNaming("{\"chunks\":[{\"index\":0,\"size\":10,\"checksum\":12345}]}", "chunks/0/checksum", "text");
    }

    @Test
    void aFieldGivenTwiceIsRefusedNamingIt() {
        refusedNaming(with("\"sha256\":\"" + SHA + "\",\"sha256\":\"" + "b".repeat(64) + "\""), "sha256", "twice");
        refusedNaming("{\"chunks\":[{\"index\":0,\"size\":10,\"size\":20,\"checksum\":\"" + SHA + "\"}]}", "size", "twice");
    }

    @Test
    void aNullWhereAChunkOrFileNeedsAValueIsRefusedNamingIt() {
        refusedNaming("{\"chunks\":[{\"index\":0,\"size\":null,\"checksum\":\"" + SHA + "\"}]}", "chunks/0/size", "null");
        refusedNaming("{\"chunks\":[{\"index\":null,\"size\":10,\"checksum\":\"" + SHA + "\"}]}", "chunks/0/index", "null");
        refusedNaming(with("\"file\": {\"name\": \"f\", \"mode\": null, \"mtime\": \"2024-05-06T07:08:09Z\"}"), "file/mode", "null");
    }

    @Test
    void aManifestFileIsReadAsStrictly() throws Exception {
        Path file = tmp.resolve("p.manifest.json");
        Files.writeString(file, with("\"chunk_size\": \"65536\""));

        assertThatThrownBy(() -> Manifest.read(file)).isInstanceOf(ManifestException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("chunk_size").hasMessageContaining("whole number");
    }

    @Test
    void manifestsCaravanWritesTheSeedsMetadataAndUnknownFieldsStillRead() throws Exception {
        Manifest written = new Manifest(Manifest.VERSION, Manifest.FORMAT, "reports", "zstd", 3, 1024, 1, 10, SHA, 2L, 30L,
                "2026-11-22T10:00:00Z", List.of(new ChunkInfo(0, 10, SHA)),
                new Manifest.FileFacts("f.txt", 0644, "2024-05-06T07:08:09Z"));
        Path file = tmp.resolve("w.manifest.json");
        written.write(file);

        assertThat(Manifest.read(file)).isEqualTo(written);
        assertThat(Manifest.fromJson(written.toJson()).validate()).isEqualTo(written);
        Manifest seed = Manifest.fromJson("{\"version\":\"1.0\",\"total_chunks\":1,\"chunks\":[{\"index\":0,\"size\":10,"
                + "\"checksum\":\"" + SHA.toUpperCase() + "\",\"note\":1}],\"tool\":{\"v\":2}}").validate();
        assertThat(seed.totalSize()).isEqualTo(10);
        assertThat(seed.hasStreamSha256()).isFalse();
        assertThat(Manifest.fromJson(with("\"level\": null, \"sha256\": null")).validate().level()).isNull();
    }
}
