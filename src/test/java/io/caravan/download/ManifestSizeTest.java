package io.caravan.download;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.CliRunner;
import io.caravan.fs.Versions;
import io.caravan.progress.ProgressListener;
import io.caravan.sender.Retry;
import io.caravan.unpack.OnConflict;
import io.caravan.util.Sha256;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A manifest under the byte limit that lists more chunks than a download holds is refused before
 * anything is built from it, naming the parcel; a manifest taken is kept in the chunk folder as it
 * was received, never written again from what was parsed.
 */
class ManifestSizeTest {

    @TempDir
    Path tmp;

    @Test
    void aManifestOfTooManyChunksIsRefusedNamingTheParcel() throws Exception {
        int chunks = CatalogClient.MAX_CHUNKS_PER_MANIFEST + 1;
        String one = Sha256.of(new byte[1], 0, 1);
        StringBuilder json = new StringBuilder("{\"version\":\"1.0\",\"format\":\"caravan/1\",\"name\":\"many\",\"codec\":\"none\","
                + "\"chunk_size\":1,\"total_chunks\":" + chunks + ",\"total_size\":" + chunks + ",\"chunks\":[");
        for (int i = 0; i < chunks; i++) {
            json.append(i == 0 ? "" : ",").append("{\"index\":").append(i).append(",\"size\":1,\"checksum\":\"").append(one).append("\"}");
        }
        byte[] body = json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
        assertThat(body.length).isLessThan(CatalogClient.MAX_MANIFEST_BYTES);
        AtomicInteger chunkRequests = new AtomicInteger();
        Path local = Files.createDirectories(tmp.resolve("local"));
        try (CraftedCatalog server = new CraftedCatalog(Map.of(
                "/parcels/manifest", exchange -> CraftedCatalog.answer(exchange, body),
                "/parcels/chunks/", exchange -> {
                    chunkRequests.incrementAndGet();
                    exchange.sendResponseHeaders(404, -1);
                    exchange.close();
                }))) {

            CliRunner.Result get = CliRunner.run("get", "many", local.toString(), "--to", server.url(), "-q");

            assertThat(get.exitCode()).isEqualTo(1);
            assertThat(get.err()).contains("'many'").contains(chunks + " chunks")
                    .contains("more than the " + CatalogClient.MAX_CHUNKS_PER_MANIFEST).doesNotContain("OutOfMemoryError");
        }
        assertThat(chunkRequests).hasValue(0);
        assertThat(local.resolve(".caravan-get-many/manifest.json")).doesNotExist();
    }

    @Test
    void theManifestIsKeptAsReceived() throws Exception {
        byte[] content = new byte[20];
        String chunk = Sha256.of(content, 0, 10);
        byte[] body = ("{ \"version\" : \"1.0\", \"format\": \"caravan/1\", \"name\": \"raw\", \"codec\": \"none\", \"chunk_size\": 10,"
                + " \"chunks\": [ {\"index\": 0, \"size\": 10, \"checksum\": \"" + chunk + "\"}, {\"index\": 1, \"size\": 10,"
                + " \"checksum\": \"" + chunk + "\"} ], \"sha256\": \"" + Sha256.of(content, 0, 20) + "\","
                + " \"file\": {\"name\": \"raw\", \"mode\": 420, \"mtime\": \"2026-01-01T00:00:00Z\"}, \"extra\": [1, 2, 3] }")
                .getBytes(StandardCharsets.UTF_8);
        Path local = Files.createDirectories(tmp.resolve("local"));
        try (CraftedCatalog server = new CraftedCatalog(Map.of(
                "/parcels/manifest", exchange -> CraftedCatalog.answer(exchange, body),
                "/parcels/chunks/", exchange -> {
                    if (exchange.getRequestURI().getPath().endsWith("/0")) {
                        CraftedCatalog.answer(exchange, new byte[10]);
                    } else {
                        CraftedCatalog.json(exchange, 503, "{\"error\":\"busy\",\"message\":\"later\"}");
                    }
                }))) {

            // one attempt: the download stops at the 503 of chunk 1, its chunk folder kept for the rerun
            assertThatThrownBy(() -> new ParcelDownload(new ParcelDownload.Settings(new CatalogClient(server.url(), null,
                    Duration.ofMinutes(1)), "raw", local, ParcelDownload.defaultStateDir(local, "raw"), 1, OnConflict.MERGE,
                    false, false, 0, Versions.none(), new Retry(1, Duration.ofMillis(10), Duration.ofMillis(10))))
                    .run(ProgressListener.NONE)).hasMessageContaining("503");
        }
        assertThat(local.resolve(".caravan-get-raw/manifest.json")).hasBinaryContent(body);
    }
}
