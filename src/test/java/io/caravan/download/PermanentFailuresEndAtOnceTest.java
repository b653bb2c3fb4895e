package io.caravan.download;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpHandler;
import io.caravan.CliRunner;
import io.caravan.pack.ChunkInfo;
import io.caravan.pack.Manifest;
import io.caravan.util.Sha256;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code caravan get} asks again only what may pass later (a connection that fails, a timeout, 408,
 * 429, 5xx, 507): an answer that will be the same next time (a 4xx, a manifest or a chunk the client
 * refuses) ends the download at its first occurrence, exit 1, with a message naming the parcel and
 * what to do.
 */
class PermanentFailuresEndAtOnceTest {

    @TempDir
    Path tmp;

    private static final byte[] CONTENT = content();
    private final AtomicInteger manifestRequests = new AtomicInteger();
    private final AtomicInteger chunkRequests = new AtomicInteger();

    @Test
    void anUnknownParcelEndsAfterOneRequest() throws Exception {
        CliRunner.Result get = get(exchange -> CraftedCatalog.json(exchange, 404,
                "{\"error\":\"not_found\",\"message\":\"nothing is published as 'evil' (GET /parcels lists what is)\"}"),
                exchange -> CraftedCatalog.answer(exchange, CONTENT));

        assertThat(get.exitCode()).isEqualTo(1);
        assertThat(get.err()).contains("nothing is published as 'evil'");
        assertThat(manifestRequests).hasValue(1);
    }

    @Test
    void aRefusedTokenEndsAfterOneRequestAndSaysWhatToDo() throws Exception {
        CliRunner.Result get = get(exchange -> CraftedCatalog.json(exchange, 403, "{\"error\":\"forbidden\",\"message\":\"wrong token\"}"),
                exchange -> CraftedCatalog.answer(exchange, CONTENT));

        assertThat(get.exitCode()).isEqualTo(1);
        assertThat(get.err()).contains("'evil'").contains("wrong token").contains("--token");
        assertThat(manifestRequests).hasValue(1);
    }

    @Test
    void aManifestNamingAFileThatEscapesEndsAfterOneRequest() throws Exception {
        byte[] manifest = manifest(new Manifest.FileFacts("../escaped.txt", 0644, "2026-01-01T00:00:00Z"));
        CliRunner.Result get = get(exchange -> CraftedCatalog.answer(exchange, manifest),
                exchange -> CraftedCatalog.answer(exchange, CONTENT));

        assertThat(get.exitCode()).isEqualTo(1);
        assertThat(get.err()).contains("'evil'").contains("file.name '../escaped.txt'").doesNotContain("attempts");
        assertThat(manifestRequests).hasValue(1);
    }

    @Test
    void aManifestWithoutETagEndsAfterOneRequest() throws Exception {
        byte[] manifest = manifest(FACTS);
        CliRunner.Result get = get(exchange -> {
            exchange.sendResponseHeaders(200, manifest.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(manifest);
            }
        }, exchange -> CraftedCatalog.answer(exchange, CONTENT));

        assertThat(get.exitCode()).isEqualTo(1);
        assertThat(get.err()).contains("the manifest of 'evil'").contains("without the ETag");
        assertThat(manifestRequests).hasValue(1);
    }

    @Test
    void aChunkAnswered400IsAskedOnce() throws Exception {
        byte[] manifest = manifest(FACTS);
        CliRunner.Result get = get(exchange -> CraftedCatalog.answer(exchange, manifest),
                exchange -> CraftedCatalog.json(exchange, 400, "{\"error\":\"bad_request\",\"message\":\"no such chunk\"}"));

        assertThat(get.exitCode()).isEqualTo(1);
        assertThat(get.err()).contains("of 'evil'").contains("no such chunk");
        assertThat(chunkRequests).hasValue(1);
    }

    @Test
    void aChunkThatDoesNotMatchItsHashIsAskedOnce() throws Exception {
        byte[] manifest = manifest(FACTS);
        byte[] damaged = CONTENT.clone();
        damaged[10] ^= 1;
        CliRunner.Result get = get(exchange -> CraftedCatalog.answer(exchange, manifest),
                exchange -> CraftedCatalog.answer(exchange, damaged));

        assertThat(get.exitCode()).isEqualTo(1);
        assertThat(get.err()).contains("chunk 0000 of 'evil'").contains("SHA-256 mismatch");
        assertThat(chunkRequests).hasValue(1);
    }

    @Test
    void aParcelAnswered412AtEveryChunkEndsAfterAFewManifests() throws Exception {
        byte[] manifest = manifest(FACTS);
        long started = System.nanoTime();
        CliRunner.Result get = get(exchange -> CraftedCatalog.answer(exchange, manifest),
                exchange -> CraftedCatalog.json(exchange, 412, "{\"error\":\"republished\",\"message\":\"published again\"}"));

        assertThat(get.exitCode()).isEqualTo(1);
        assertThat(get.err()).contains("chunk 0000 of 'evil'").contains("412").contains("published again 6 times").contains("run the same command again");
        assertThat(manifestRequests).as("the first manifest and one after each of the 5 republishes followed").hasValue(6);
        assertThat(chunkRequests).hasValue(6);
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - started)).isLessThan(java.time.Duration.ofSeconds(5));
    }

    @Test
    void aManifestAnswered503OnceIsAskedAgainAndTheParcelArrives() throws Exception {
        byte[] manifest = manifest(FACTS);
        Path local = tmp.resolve("local");
        CliRunner.Result get = get(exchange -> {
            if (manifestRequests.get() == 1) {
                CraftedCatalog.json(exchange, 503, "{\"error\":\"busy\",\"message\":\"try again\"}");
            } else {
                CraftedCatalog.answer(exchange, manifest);
            }
        }, exchange -> CraftedCatalog.answer(exchange, CONTENT));

        assertThat(get.exitCode()).as(get.err()).isZero();
        assertThat(local.resolve("evil")).hasBinaryContent(CONTENT);
        assertThat(manifestRequests).hasValue(2);
    }

    @Test
    void aChunkAnswered500OnceIsAskedAgainAndTheParcelArrives() throws Exception {
        byte[] manifest = manifest(FACTS);
        Path local = tmp.resolve("local");
        CliRunner.Result get = get(exchange -> CraftedCatalog.answer(exchange, manifest), exchange -> {
            if (chunkRequests.get() == 1) {
                CraftedCatalog.json(exchange, 500, "{\"error\":\"internal\",\"message\":\"disk hiccup\"}");
            } else {
                CraftedCatalog.answer(exchange, CONTENT);
            }
        });

        assertThat(get.exitCode()).as(get.err()).isZero();
        assertThat(local.resolve("evil")).hasBinaryContent(CONTENT);
        assertThat(chunkRequests).hasValue(2);
    }

    private static final Manifest.FileFacts FACTS = new Manifest.FileFacts("evil", 0644, "2026-01-01T00:00:00Z");

    /** Runs {@code caravan get evil} against a server answering the manifest and every chunk with these handlers, counted. */
    private CliRunner.Result get(HttpHandler manifest, HttpHandler chunk) throws Exception {
        Path local = Files.createDirectories(tmp.resolve("local"));
        try (CraftedCatalog server = new CraftedCatalog(Map.of(
                "/parcels/manifest", exchange -> {
                    manifestRequests.incrementAndGet();
                    manifest.handle(exchange);
                },
                "/parcels/chunks/", exchange -> {
                    chunkRequests.incrementAndGet();
                    chunk.handle(exchange);
                }))) {
            return CliRunner.run("get", "evil", local.toString(), "--to", server.url(), "-q");
        }
    }

    /** The manifest of {@link #CONTENT} served as one file of one chunk, named by {@code facts}. */
    private static byte[] manifest(Manifest.FileFacts facts) {
        List<ChunkInfo> chunks = new ArrayList<>(List.of(new ChunkInfo(0, CONTENT.length, Sha256.of(CONTENT, 0, CONTENT.length))));
        return new Manifest(Manifest.VERSION, Manifest.FORMAT, "evil", "none", null, 4096, 1, CONTENT.length,
                Sha256.of(CONTENT, 0, CONTENT.length), 1L, (long) CONTENT.length, "2026-01-01T00:00:00Z", chunks, facts)
                .toJson().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] content() {
        byte[] bytes = new byte[3000];
        Arrays.fill(bytes, (byte) 'c');
        return bytes;
    }
}
