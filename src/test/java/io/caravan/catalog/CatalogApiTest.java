package io.caravan.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.TestTrees;
import io.caravan.pack.ChunkInfo;
import io.caravan.pack.Manifest;
import io.caravan.progress.ProgressListener;
import io.caravan.receiver.ReceiverFixture;
import io.caravan.receiver.RunningReceiver;
import io.caravan.unpack.UnpackOptions;
import io.caravan.unpack.Unpacker;
import io.caravan.util.Sha256;
import io.caravan.util.TreeSnapshot;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The catalog API on the receiver's port: the paged list of published parcels, a parcel's manifest
 * with its ETag, its chunks (ETag = SHA-256) that together unpack to the published tree, 412 for a
 * manifest that was republished since, and JSON errors for unknown or refused names.
 */
class CatalogApiTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    static Path tmp;
    @RegisterExtension
    static final RunningReceiver RUNNING = CatalogFixture.receiverAt(() -> tmp.resolve("inbox"));
    static ReceiverFixture receiver;
    static Path docs;

    @BeforeAll
    static void publish(ReceiverFixture started) throws Exception {
        receiver = started;
        docs = Files.createDirectories(tmp.resolve("src/docs"));
        TestTrees.write(docs.resolve("readme.txt"), "the docs\n");
        TestTrees.random(Files.createDirectories(docs.resolve("sub")).resolve("data.bin"), 300_000, 7);
        Path notes = tmp.resolve("src/notes.txt");
        TestTrees.write(notes, "a single file\n");
        CatalogFixture.send(receiver, docs, "docs", "zstd", tmp.resolve("state"), null);
        CatalogFixture.send(receiver, notes, "team/notes.txt", "gzip", tmp.resolve("state"), null);
    }

    @Test
    void listsPublishedParcelsWithKindSizeTimeAndEtag() throws Exception {
        JsonNode page = ok(receiver.get("/parcels"));
        List<String> names = new ArrayList<>();
        page.path("parcels").forEach(p -> names.add(p.path("name").asText()));
        assertThat(names).containsExactly("docs", "team/notes.txt");
        JsonNode first = page.path("parcels").get(0);
        assertThat(first.path("kind").asText()).isEqualTo("folder");
        assertThat(first.path("files").asLong()).isEqualTo(4);
        assertThat(first.path("bytes").asLong()).isEqualTo(300_009);
        assertThat(first.path("published_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(first.path("etag").asText()).isNotBlank();
        assertThat(page.path("parcels").get(1).path("kind").asText()).isEqualTo("file");

        assertThat(names(ok(receiver.get("/parcels?prefix=team/")))).containsExactly("team/notes.txt");
        JsonNode one = ok(receiver.get("/parcels?limit=1"));
        assertThat(names(one)).containsExactly("docs");
        assertThat(one.path("next").asText()).isEqualTo("docs");
        assertThat(names(ok(receiver.get("/parcels?limit=1&after=docs")))).containsExactly("team/notes.txt");
        assertThat(names(ok(receiver.get("/parcels?since=2999-01-01T00:00:00Z")))).isEmpty();
        assertThat(names(ok(receiver.get("/parcels?since=2000-01-01T00:00:00Z")))).hasSize(2);
        error(receiver.get("/parcels?since=yesterday"), 400);
        error(receiver.get("/parcels?limit=0"), 400);
    }

    @Test
    void manifestAndChunksRebuildThePublishedTree() throws Exception {
        HttpResponse<String> answer = receiver.get("/parcels/manifest?name=docs");
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        String etag = answer.headers().firstValue("ETag").orElseThrow();
        Manifest manifest = Manifest.fromJson(answer.body()).validate();
        assertThat(manifest.totalChunks()).isGreaterThan(1);
        assertThat(receiver.get("/parcels/manifest?name=docs").headers().firstValue("ETag")).hasValue(etag);

        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (ChunkInfo chunk : manifest.chunks()) {
            HttpResponse<byte[]> body = bytes("/parcels/chunks/" + chunk.index() + "?name=docs", "If-Match", etag);
            assertThat(body.statusCode()).isEqualTo(200);
            assertThat(body.headers().firstValue("ETag")).hasValue("\"" + chunk.checksum() + "\"");
            assertThat(Sha256.of(body.body(), 0, body.body().length)).isEqualTo(chunk.checksum());
            stream.write(body.body());
        }
        Path restored = tmp.resolve("restored");
        new Unpacker(UnpackOptions.DEFAULT, ProgressListener.NONE).unpackArchive(new ByteArrayInputStream(stream.toByteArray()), restored);
        assertThat(TreeSnapshot.of(docs).differences(TreeSnapshot.of(restored.resolve("docs")))).isEmpty();
        assertThat(Sha256.of(stream.toByteArray(), 0, stream.size())).isEqualTo(manifest.sha256());
    }

    @Test
    void aNameWithSlashesIsFoundByItsQueryParameter() throws Exception {
        HttpResponse<String> answer = receiver.get("/parcels/manifest?name=team%2Fnotes.txt");
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(Manifest.fromJson(answer.body()).codec()).isEqualTo("gzip");
    }

    @Test
    void aRepublishedParcelAnswers412ToTheOldEtag() throws Exception {
        Path source = Files.createDirectories(tmp.resolve("src2/moving"));
        TestTrees.write(source.resolve("a.txt"), "version 1\n");
        CatalogFixture.send(receiver, source, "moving", "zstd", tmp.resolve("state"), null);
        String old = receiver.get("/parcels/manifest?name=moving").headers().firstValue("ETag").orElseThrow();
        TestTrees.write(source.resolve("a.txt"), "version 2\n");
        CatalogFixture.send(receiver, source, "moving", "zstd", tmp.resolve("state"), null);

        HttpResponse<byte[]> stale = bytes("/parcels/chunks/0?name=moving", "If-Match", old);
        assertThat(stale.statusCode()).isEqualTo(412);
        JsonNode body = CatalogFixture.JSON.readTree(stale.body());
        assertThat(body.path("error").asText()).isEqualTo("republished");
        assertThat(body.path("message").asText()).contains("moving");
        String fresh = receiver.get("/parcels/manifest?name=moving").headers().firstValue("ETag").orElseThrow();
        assertThat(fresh).isNotEqualTo(old);
        assertThat(bytes("/parcels/chunks/0?name=moving", "If-Match", fresh).statusCode()).isEqualTo(200);
    }

    /** If-Match compares strongly (RFC 9110 13.1.1): a weak tag matches no chunk, even the current manifest's. */
    @Test
    void aWeakEtagInIfMatchIs412() throws Exception {
        String etag = receiver.get("/parcels/manifest?name=docs").headers().firstValue("ETag").orElseThrow();
        assertThat(bytes("/parcels/chunks/0?name=docs", "If-Match", "W/" + etag).statusCode()).isEqualTo(412);
        assertThat(bytes("/parcels/chunks/0?name=docs", "If-Match", etag).statusCode()).isEqualTo(200);
    }

    @Test
    void unknownAndRefusedNamesGetJsonErrors() throws Exception {
        error(receiver.get("/parcels/manifest?name=nothing-here"), 404);
        error(receiver.get("/parcels/manifest?name=..%2Fetc"), 400);
        error(receiver.get("/parcels/manifest?name=.caravan"), 400);
        error(receiver.get("/parcels/manifest"), 400);
        error(receiver.get("/parcels/chunks/999?name=docs"), 404);
        error(receiver.get("/parcels/chunks/x?name=docs"), 400);
    }

    private static List<String> names(JsonNode page) {
        List<String> names = new ArrayList<>();
        page.path("parcels").forEach(p -> names.add(p.path("name").asText()));
        return names;
    }

    private static JsonNode ok(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.uri() + ": " + response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        return CatalogFixture.json(response);
    }

    static JsonNode error(HttpResponse<String> response, int status) throws Exception {
        assertThat(response.statusCode()).as(response.uri() + ": " + response.body()).isEqualTo(status);
        JsonNode body = CatalogFixture.json(response);
        assertThat(body.path("error").asText()).isNotBlank();
        assertThat(body.path("message").asText()).isNotBlank();
        return body;
    }

    private static HttpResponse<byte[]> bytes(String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + receiver.port() + path));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
