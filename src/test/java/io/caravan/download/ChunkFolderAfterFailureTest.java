package io.caravan.download;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import io.caravan.CliRunner;
import io.caravan.fs.Versions;
import io.caravan.pack.ChunkInfo;
import io.caravan.pack.Manifest;
import io.caravan.progress.ProgressListener;
import io.caravan.sender.Retry;
import io.caravan.sender.ShipException;
import io.caravan.unpack.OnConflict;
import io.caravan.util.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a failed {@code caravan get} leaves in {@code <local>}: its chunk folder only when a rerun can
 * use it. A failure that may pass (a 5xx, a lost connection) or a refused token keeps the chunks
 * fetched; a failure the rerun would meet again (a 4xx, a parcel the client refuses) and a failure
 * before any chunk was kept leave nothing behind.
 */
class ChunkFolderAfterFailureTest {

    @TempDir
    Path tmp;

    private static final byte[] CONTENT = content();
    private static final byte[] MANIFEST = manifest();
    private final AtomicInteger chunkRequests = new AtomicInteger();
    private volatile String manifestAnswer = "ok";
    private volatile boolean secondChunkFails = true;

    @Test
    void aFailureThatMayPassKeepsTheChunksAndTheManifestAsReceived() throws Exception {
        Path local = tmp.resolve("local");
        try (CraftedCatalog server = server()) {
            assertThatThrownBy(() -> download(server)).isInstanceOf(ShipException.class).hasMessageContaining("503");
            Path state = local.resolve(".caravan-get-evil");
            assertThat(state.resolve("chunks.log")).content().startsWith("0 ");
            assertThat(state.resolve("manifest.json")).hasBinaryContent(MANIFEST);

            secondChunkFails = false;
            int before = chunkRequests.get();
            download(server);
            assertThat(chunkRequests.get() - before).as("chunks asked by the rerun").isEqualTo(1);
        }
        assertThat(local.resolve("evil")).hasBinaryContent(CONTENT);
        assertThat(local.resolve(".caravan-get-evil")).doesNotExist();
    }

    @Test
    void aRefusedTokenKeepsTheChunksFetchedBefore() throws Exception {
        Path local = tmp.resolve("local");
        try (CraftedCatalog server = server()) {
            assertThatThrownBy(() -> download(server)).isInstanceOf(ShipException.class);
            manifestAnswer = "403";
            CliRunner.Result refused = CliRunner.run("get", "evil", local.toString(), "--to", server.url(), "-q");
            assertThat(refused.exitCode()).isEqualTo(1);
            assertThat(refused.err()).contains("--token");
            assertThat(local.resolve(".caravan-get-evil/chunks.log")).content().startsWith("0 ");
        }
    }

    @Test
    void anUnknownParcelLeavesNothing() throws Exception {
        manifestAnswer = "404";
        Path local = tmp.resolve("local");
        try (CraftedCatalog server = server()) {
            CliRunner.Result get = CliRunner.run("get", "evil", local.toString(), "--to", server.url(), "-q");
            assertThat(get.exitCode()).isEqualTo(1);
        }
        assertThat(entries(local)).isEmpty();
    }

    @Test
    void aChunkRefusedAfterOthersWereFetchedLeavesNothing() throws Exception {
        Path local = tmp.resolve("local");
        try (CraftedCatalog server = server()) {
            assertThatThrownBy(() -> download(server)).isInstanceOf(ShipException.class);
            secondChunkFails = false;
            manifestAnswer = "damaged";
            CliRunner.Result get = CliRunner.run("get", "evil", local.toString(), "--to", server.url(), "-q");
            assertThat(get.exitCode()).isEqualTo(1);
            assertThat(get.err()).contains("SHA-256 mismatch");
        }
        assertThat(entries(local)).isEmpty();
    }

    /**
     * Serves {@link #CONTENT} as the file parcel 'evil' in two chunks; the second answered 503 while
     * {@link #secondChunkFails}; the manifest answered as {@link #manifestAnswer} says (ok, 403, 404,
     * or damaged: the second chunk's SHA-256 is another).
     */
    private CraftedCatalog server() throws IOException {
        return new CraftedCatalog(Map.of(
                "/parcels/manifest", exchange -> {
                    switch (manifestAnswer) {
                        case "403" -> CraftedCatalog.json(exchange, 403, "{\"error\":\"forbidden\",\"message\":\"wrong token\"}");
                        case "404" -> CraftedCatalog.json(exchange, 404, "{\"error\":\"not_found\",\"message\":\"nothing\"}");
                        case "damaged" -> CraftedCatalog.answer(exchange, new String(MANIFEST, StandardCharsets.UTF_8)
                                .replace(Sha256.of(CONTENT, 2048, CONTENT.length - 2048), "ab".repeat(32))
                                .getBytes(StandardCharsets.UTF_8));
                        default -> CraftedCatalog.answer(exchange, MANIFEST);
                    }
                },
                "/parcels/chunks/", exchange -> {
                    chunkRequests.incrementAndGet();
                    int index = index(exchange);
                    if (index == 1 && secondChunkFails) {
                        CraftedCatalog.json(exchange, 503, "{\"error\":\"busy\",\"message\":\"try again\"}");
                    } else {
                        CraftedCatalog.answer(exchange, Arrays.copyOfRange(CONTENT, index * 2048,
                                Math.min(CONTENT.length, (index + 1) * 2048)));
                    }
                }));
    }

    private static int index(HttpExchange exchange) {
        String path = exchange.getRequestURI().getPath();
        return Integer.parseInt(path.substring(path.lastIndexOf('/') + 1));
    }

    /** A download with one attempt per request, so a 503 ends it at once. */
    private void download(CraftedCatalog server) throws Exception {
        Path local = tmp.resolve("local");
        new ParcelDownload(new ParcelDownload.Settings(new CatalogClient(server.url(), null, Duration.ofMinutes(1)), "evil",
                local, ParcelDownload.defaultStateDir(local, "evil"), 1, OnConflict.MERGE, false, false, 0, Versions.none(),
                new Retry(1, Duration.ofMillis(10), Duration.ofMillis(10)))).run(ProgressListener.NONE);
    }

    private static List<String> entries(Path local) throws IOException {
        try (Stream<Path> all = Files.walk(local)) {
            return all.filter(p -> !p.equals(local)).map(local::relativize).map(Path::toString).toList();
        }
    }

    private static byte[] manifest() {
        List<ChunkInfo> chunks = new ArrayList<>();
        for (int i = 0; i * 2048 < CONTENT.length; i++) {
            int size = Math.min(2048, CONTENT.length - i * 2048);
            chunks.add(new ChunkInfo(i, size, Sha256.of(CONTENT, i * 2048, size)));
        }
        return new Manifest(Manifest.VERSION, Manifest.FORMAT, "evil", "none", null, 2048, chunks.size(), CONTENT.length,
                Sha256.of(CONTENT, 0, CONTENT.length), 1L, (long) CONTENT.length, "2026-01-01T00:00:00Z", chunks,
                new Manifest.FileFacts("evil", 0644, "2026-01-01T00:00:00Z")).toJson().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] content() {
        byte[] bytes = new byte[3000];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 31);
        }
        return bytes;
    }
}
