package io.caravan.download;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CliRunner;
import io.caravan.pack.ChunkInfo;
import io.caravan.pack.Manifest;
import io.caravan.util.Sha256;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A parcel whose last name part is as long as a name part may be (255 bytes) downloads: its chunk
 * folder's name stays within 255 bytes, and is the same on every run, so a rerun resumes.
 */
class LongNameDownloadTest {

    @TempDir
    Path tmp;

    @Test
    void aParcelWithA255ByteNameIsDownloaded() throws Exception {
        String leaf = "é".repeat(100) + "x".repeat(55); // 255 bytes in UTF-8
        assertThat(leaf.getBytes(StandardCharsets.UTF_8)).hasSize(255);
        String name = "deep/" + leaf;
        byte[] content = "the content\n".getBytes(StandardCharsets.UTF_8);
        Manifest manifest = new Manifest(Manifest.VERSION, Manifest.FORMAT, name, "none", null, 1024, 1, content.length,
                Sha256.of(content, 0, content.length), 1L, (long) content.length, "2026-01-01T00:00:00Z",
                List.of(new ChunkInfo(0, content.length, Sha256.of(content, 0, content.length))),
                new Manifest.FileFacts(leaf, 0644, "2026-01-01T00:00:00Z"));
        Path local = Files.createDirectories(tmp.resolve("local"));
        try (CraftedCatalog server = new CraftedCatalog(Map.of(
                "/parcels/manifest", exchange -> CraftedCatalog.answer(exchange, manifest.toJson().getBytes(StandardCharsets.UTF_8)),
                "/parcels/chunks/", exchange -> CraftedCatalog.answer(exchange, content)))) {

            CliRunner.Result get = CliRunner.run("get", name, local.toString(), "--to", server.url(), "-q");

            assertThat(get.exitCode()).as(get.err()).isZero();
        }
        assertThat(local.resolve(leaf)).hasBinaryContent(content);
        Path state = ParcelDownload.defaultStateDir(local, name);
        assertThat(state.getFileName().toString().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(255);
        assertThat(state).isEqualTo(ParcelDownload.defaultStateDir(local, name)).doesNotExist();
        assertThat(ParcelDownload.defaultStateDir(local, "other/" + leaf)).as("another parcel's folder").isNotEqualTo(state);
        assertThat(ParcelDownload.defaultStateDir(local, "sets/www")).isEqualTo(local.resolve(".caravan-get-www"));
    }
}
