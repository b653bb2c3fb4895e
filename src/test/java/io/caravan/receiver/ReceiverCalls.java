package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.caravan.PackUnpack;
import io.caravan.TestTrees;
import io.caravan.pack.ChunkInfo;
import io.caravan.pack.Manifest;
import io.caravan.pack.PartFiles;
import io.caravan.util.Sha256;
import io.caravan.util.TreeSnapshot;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Protocol calls and checks the receiver tests share: packing a tree into real part files,
 * starting sessions, uploading parts with their hash, finishing with the manifest, and reading
 * JSON answers (error answers must carry {@code error} and {@code message}).
 */
final class ReceiverCalls {

    static final ObjectMapper JSON = new ObjectMapper();
    /** Chunk size of the parcels the tests pack: small, so a small tree spans several chunks. */
    static final int CHUNK = 64 * 1024;

    private ReceiverCalls() {
    }

    /** A packed parcel: its source tree, manifest and part bodies (in index order). */
    record Parcel(Path source, Manifest manifest, List<byte[]> parts) {

        int count() {
            return parts.size();
        }

        byte[] part(int index) {
            return parts.get(index);
        }

        String sha(int index) {
            return manifest.chunks().get(index).checksum();
        }

        String manifestJson() {
            return manifest.toJson();
        }
    }

    /** TestTrees.fidelityTree (symlinks, hard link, modes, Unicode, ~500 KB of random data) packed with zstd in 64 KiB parts. */
    static Parcel fidelityParcel(Path tmp, String name) throws IOException {
        return pack(TestTrees.fidelityTree(tmp.resolve("src-" + name), "tree"), tmp.resolve("parts-" + name + "/p"));
    }

    /** A small tree of text files plus {@code randomBytes} of random data (seeded), packed with zstd in 64 KiB parts. */
    static Parcel smallParcel(Path tmp, String name, long randomBytes, long seed) throws IOException {
        Path root = Files.createDirectories(tmp.resolve("src-" + name).resolve("tree"));
        TestTrees.write(root.resolve("readme.txt"), "parcel " + name + " seed " + seed + "\n");
        Files.createDirectories(root.resolve("sub"));
        TestTrees.write(root.resolve("sub/notes.md"), ("notes of " + name + "\n").repeat(20));
        TestTrees.random(root.resolve("sub/data.bin"), randomBytes, seed);
        return pack(root, tmp.resolve("parts-" + name + "/p"));
    }

    static Parcel pack(Path source, Path prefix) throws IOException {
        Manifest manifest = PackUnpack.pack(source, prefix, "zstd", CHUNK);
        List<byte[]> parts = new ArrayList<>();
        for (ChunkInfo chunk : manifest.chunks()) {
            parts.add(Files.readAllBytes(PartFiles.part(prefix, chunk.index())));
        }
        assertThat(parts).as("parts of " + source).isNotEmpty();
        return new Parcel(source, manifest, parts);
    }

    static JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    /** Checks a success answer: status and a JSON body; returns the body. */
    static JsonNode ok(HttpResponse<String> response, int status) throws IOException {
        assertThat(response.statusCode()).as(response.request().method() + " " + response.uri() + ": " + response.body())
                .isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        return json(response);
    }

    /** Checks an error answer: status, JSON with a non-blank {@code error} (equal to {@code code} if given) and {@code message}. */
    static JsonNode error(HttpResponse<String> response, int status, String code) throws IOException {
        assertThat(response.statusCode()).as(response.request().method() + " " + response.uri() + ": " + response.body())
                .isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).as("Content-Type of a %d answer", status)
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        JsonNode body = json(response);
        assertThat(body.path("error").asText()).as("error field of " + response.body()).isNotBlank();
        assertThat(body.path("message").asText()).as("message field of " + response.body()).isNotBlank();
        if (code != null) {
            assertThat(body.get("error").asText()).isEqualTo(code);
        }
        return body;
    }

    static String startBody(String name, Map<String, Object> extra) throws IOException {
        ObjectNode options = JSON.createObjectNode();
        options.put("codec", "zstd");
        if (name != null) {
            options.put("name", name);
        }
        extra.forEach((k, v) -> options.set(k, JSON.valueToTree(v)));
        return JSON.writeValueAsString(options);
    }

    /** POST /start of an archive session ({@code codec zstd}); returns the session id. */
    static String startArchive(ReceiverFixture receiver, String name, Map<String, Object> extra, String... headers) throws Exception {
        String[] all = withJson(headers);
        HttpResponse<String> start = receiver.send("POST", "/start", startBody(name, extra).getBytes(StandardCharsets.UTF_8), all);
        JsonNode body = ok(start, 201);
        String sid = body.get("session_id").asText();
        assertThat(sid).matches("[0-9a-f]{32}");
        return sid;
    }

    static String startArchive(ReceiverFixture receiver, String name) throws Exception {
        return startArchive(receiver, name, Map.of());
    }

    /** PUT one part with its X-Chunk-Sha256. */
    static HttpResponse<String> put(ReceiverFixture receiver, String sid, int index, byte[] body, String... headers) throws Exception {
        String[] all = new String[headers.length + 2];
        all[0] = "X-Chunk-Sha256";
        all[1] = Sha256.of(body, 0, body.length);
        System.arraycopy(headers, 0, all, 2, headers.length);
        return receiver.put("/upload/" + sid + "/" + index, body, all);
    }

    /** PUTs the given parts in the given order, each expected to be stored as new (201). */
    static void putAll(ReceiverFixture receiver, String sid, Parcel parcel, Iterable<Integer> order, String... headers) throws Exception {
        for (int index : order) {
            JsonNode answer = ok(put(receiver, sid, index, parcel.part(index), headers), 201);
            assertThat(answer.get("index").asInt()).isEqualTo(index);
            assertThat(answer.get("sha256").asText()).isEqualTo(parcel.sha(index));
            assertThat(answer.get("size").asLong()).isEqualTo(parcel.part(index).length);
        }
    }

    static List<Integer> range(int from, int to) {
        List<Integer> list = new ArrayList<>();
        for (int i = from; i < to; i++) {
            list.add(i);
        }
        return list;
    }

    static HttpResponse<String> finish(ReceiverFixture receiver, String sid, Parcel parcel, String... headers) throws Exception {
        return receiver.send("POST", "/finish/" + sid, parcel.manifestJson().getBytes(StandardCharsets.UTF_8), withJson(headers));
    }

    /** POST /finish with the publish options of {@code query} ("?on_conflict=rename&force=true", or ""). */
    static HttpResponse<String> finishWith(ReceiverFixture receiver, String sid, Parcel parcel, String query) throws Exception {
        return receiver.send("POST", "/finish/" + sid + query, parcel.manifestJson().getBytes(StandardCharsets.UTF_8), withJson());
    }

    static HttpResponse<String> status(ReceiverFixture receiver, String sid, String... headers) throws Exception {
        return receiver.send("GET", "/status/" + sid, null, headers);
    }

    /** The status' {@code chunks} map as index → sha256. */
    static Map<Integer, String> chunks(JsonNode status) {
        Map<Integer, String> chunks = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : status.get("chunks").properties()) {
            chunks.put(Integer.parseInt(e.getKey()), e.getValue().asText());
        }
        return chunks;
    }

    static List<Integer> ints(JsonNode array) {
        List<Integer> list = new ArrayList<>();
        array.forEach(n -> list.add(n.asInt()));
        return list;
    }

    /** Checks a successful finish answer against the parcel and that {@code inbox/path} is identical to its source. */
    static JsonNode assertPublished(ReceiverFixture receiver, HttpResponse<String> finish, Parcel parcel, String path) throws IOException {
        JsonNode answer = ok(finish, 200);
        assertThat(answer.get("path").asText()).isEqualTo(path);
        assertThat(answer.get("sha256").asText()).isEqualTo(parcel.manifest().sha256());
        assertThat(answer.get("files").asLong()).isPositive();
        assertThat(answer.get("bytes").asLong()).isPositive();
        if (parcel.manifest().entries() != null) {
            assertThat(answer.get("files").asLong()).isEqualTo(parcel.manifest().entries());
        }
        if (parcel.manifest().contentBytes() != null) {
            assertThat(answer.get("bytes").asLong()).isEqualTo(parcel.manifest().contentBytes());
        }
        assertSameTree(parcel.source(), receiver.inbox().resolve(path));
        return answer;
    }

    static void assertSameTree(Path expected, Path actual) throws IOException {
        assertThat(actual).isDirectory();
        assertThat(TreeSnapshot.of(expected).differences(TreeSnapshot.of(actual))).as(actual + " vs " + expected).isEmpty();
    }

    /** The top-level entries of the inbox, without its state folder. */
    static List<String> inboxEntries(ReceiverFixture receiver) throws IOException {
        try (var list = Files.list(receiver.inbox())) {
            return list.map(p -> p.getFileName().toString()).filter(n -> !n.equals(".caravan")).sorted().toList();
        }
    }

    static Path sessionDir(ReceiverFixture receiver, String sid) {
        return receiver.inbox().resolve(".caravan/sessions").resolve(sid);
    }

    private static String[] withJson(String... headers) {
        String[] all = new String[headers.length + 2];
        all[0] = "Content-Type";
        all[1] = "application/json";
        System.arraycopy(headers, 0, all, 2, headers.length);
        return all;
    }
}
