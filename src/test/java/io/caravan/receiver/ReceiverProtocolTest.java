package io.caravan.receiver;

import static io.caravan.receiver.ReceiverCalls.CHUNK;
import static io.caravan.receiver.ReceiverCalls.JSON;
import static io.caravan.receiver.ReceiverCalls.assertPublished;
import static io.caravan.receiver.ReceiverCalls.chunks;
import static io.caravan.receiver.ReceiverCalls.error;
import static io.caravan.receiver.ReceiverCalls.finish;
import static io.caravan.receiver.ReceiverCalls.inboxEntries;
import static io.caravan.receiver.ReceiverCalls.ints;
import static io.caravan.receiver.ReceiverCalls.ok;
import static io.caravan.receiver.ReceiverCalls.put;
import static io.caravan.receiver.ReceiverCalls.putAll;
import static io.caravan.receiver.ReceiverCalls.range;
import static io.caravan.receiver.ReceiverCalls.sessionDir;
import static io.caravan.receiver.ReceiverCalls.startArchive;
import static io.caravan.receiver.ReceiverCalls.status;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.pack.Manifest;
import io.caravan.receiver.ReceiverCalls.Parcel;
import io.caravan.util.Sha256;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every row of DESIGN §3 against one real receiver (Camel main, netty-http, real HTTP client)
 * with a 64 KiB chunk limit and a 100 KiB dedup threshold. One nested class per endpoint.
 */
class ReceiverProtocolTest {

    static final long MAX_CHUNK = 64 * 1024;
    static final long DEDUP_MIN = 100 * 1024;

    @TempDir
    static Path tmp;
    @RegisterExtension
    static final RunningReceiver RUNNING = RunningReceiver.at(() -> tmp.resolve("inbox"))
            .properties(Map.of(
                "caravan.receiver.max-chunk-size", "64KiB",
                "caravan.receiver.dedup-min-size", "100KiB"));
    static ReceiverFixture receiver;

    @BeforeAll
    static void startReceiver(ReceiverFixture started) throws Exception {
        receiver = started;
    }

    static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static String startRaw(String body) throws Exception {
        HttpResponse<String> start = body == null ? receiver.send("POST", "/start", null) : receiver.post("/start", body);
        return ok(start, 201).get("session_id").asText();
    }

    static List<String> chunkFiles(String sid) throws IOException {
        try (var files = Files.list(sessionDir(receiver, sid).resolve("chunks"))) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    static long sessionCount() throws IOException {
        try (var dirs = Files.list(receiver.inbox().resolve(".caravan/sessions"))) {
            return dirs.count();
        }
    }

    @Nested
    class Start {

        @Test
        void emptyBodyStartsARawSessionWithIdExpiryAndChunkSize() throws Exception {
            Instant before = Instant.now();
            JsonNode answer = ok(receiver.send("POST", "/start", null), 201);
            String sid = answer.get("session_id").asText();
            assertThat(sid).matches("[0-9a-f]{32}");
            assertThat(Instant.parse(answer.get("expires_at").asText())).isAfter(before.plus(Duration.ofDays(2)));
            assertThat(answer.get("chunk_size").asLong()).isEqualTo(MAX_CHUNK);
            assertThat(sessionDir(receiver, sid).resolve("meta.json")).isRegularFile();
            assertThat(ok(status(receiver, sid), 200).get("kind").asText()).isEqualTo("raw");
        }

        @Test
        void emptyJsonObjectStartsARawSession() throws Exception {
            String sid = startRaw("{}");
            assertThat(ok(status(receiver, sid), 200).get("kind").asText()).isEqualTo("raw");
        }

        @Test
        void codecAndNameStartAnArchiveSession() throws Exception {
            JsonNode answer = ok(receiver.post("/start", "{\"codec\":\"zstd\",\"name\":\"x\",\"chunk_size\":4096}"), 201);
            assertThat(answer.get("chunk_size").asLong()).isEqualTo(4096);
            String sid = answer.get("session_id").asText();
            JsonNode meta = JSON.readTree(sessionDir(receiver, sid).resolve("meta.json").toFile());
            assertThat(meta.get("kind").asText()).isEqualTo("archive");
            assertThat(meta.get("codec").asText()).isEqualTo("zstd");
            assertThat(meta.get("name").asText()).isEqualTo("x");
            assertThat(ok(status(receiver, sid), 200).get("kind").asText()).isEqualTo("archive");
        }

        @Test
        void sessionIdsAreDistinct() throws Exception {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                ids.add(startRaw(null));
            }
            assertThat(ids).doesNotHaveDuplicates();
        }

        @ParameterizedTest
        @ValueSource(strings = {
            "{\"codec\":\"rar\"}",
            "{\"codec\":\"zstd\",\"name\":\"../x\"}",
            "{\"codec\":\"zstd\",\"name\":\"a/../../x\"}",
            "{\"codec\":\"zstd\",\"name\":\"/abs\"}",
            "{\"codec\":\"zstd\",\"name\":\".caravan\"}",
            "{\"codec\":\"zstd\",\"name\":\"\"}",
            "{\"codec\":\"zstd\",\"chunk_size\":65537}",
            "{\"codec\":\"zstd\",\"chunk_size\":0}",
            "{\"codec\":\"zstd\",\"chunk_size\":-5}",
            "{\"kind\":\"zip\"}",
            "{\"on_conflict\":\"sometimes\"}",
            "{not json",
            "[\"codec\",\"zstd\"]",
            "42",
        })
        void badOptionsAre400AndStartNothing(String body) throws Exception {
            long sessions = sessionCount();
            JsonNode answer = error(receiver.post("/start", body), 400, "bad_request");
            assertThat(answer.get("message").asText()).isNotBlank();
            assertThat(sessionCount()).isEqualTo(sessions);
        }
    }

    @Nested
    class Upload {

        @Test
        void newChunkIs201AndStoredOnDiskUnderItsHash() throws Exception {
            String sid = startRaw(null);
            byte[] body = random(1000, 1);
            String sha = Sha256.of(body, 0, body.length);
            JsonNode answer = ok(put(receiver, sid, 0, body), 201);
            assertThat(answer.get("index").asInt()).isZero();
            assertThat(answer.get("sha256").asText()).isEqualTo(sha);
            assertThat(answer.get("size").asLong()).isEqualTo(1000);
            assertThat(answer.get("stored").asText()).isEqualTo("created");
            assertThat(chunkFiles(sid)).containsExactly("00000000-" + sha + ".chunk");
            assertThat(sessionDir(receiver, sid).resolve("chunks/00000000-" + sha + ".chunk")).hasBinaryContent(body);
        }

        @Test
        void chunkWithoutDigestHeaderIsStoredToo() throws Exception {
            String sid = startRaw(null);
            byte[] body = random(500, 2);
            JsonNode answer = ok(receiver.put("/upload/" + sid + "/3", body), 201);
            assertThat(answer.get("sha256").asText()).isEqualTo(Sha256.of(body, 0, body.length));
        }

        @Test
        void chunkedTransferEncodingIsStoredToo() throws Exception {
            String sid = startRaw(null);
            byte[] body = random(50_000, 17);
            HttpRequest request = HttpRequest.newBuilder(receiver.uri("/upload/" + sid + "/0")).timeout(Duration.ofSeconds(15))
                    .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body))).build();
            HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                    .send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode answer = ok(response, 201);
            assertThat(answer.get("size").asLong()).isEqualTo(body.length);
            assertThat(answer.get("sha256").asText()).isEqualTo(Sha256.of(body, 0, body.length));
        }

        @Test
        void identicalChunkAgainIs200AndChangesNothing() throws Exception {
            String sid = startRaw(null);
            byte[] body = random(2000, 3);
            ok(put(receiver, sid, 0, body), 201);
            List<String> files = chunkFiles(sid);
            JsonNode again = ok(put(receiver, sid, 0, body), 200);
            assertThat(again.get("stored").asText()).isEqualTo("identical");
            assertThat(again.get("sha256").asText()).isEqualTo(Sha256.of(body, 0, body.length));
            assertThat(chunkFiles(sid)).isEqualTo(files);
        }

        @Test
        void differentBodyForTheSameIndexReplacesIt() throws Exception {
            String sid = startRaw(null);
            byte[] first = random(2000, 4);
            byte[] second = random(3000, 5);
            String secondSha = Sha256.of(second, 0, second.length);
            ok(put(receiver, sid, 1, first), 201);
            JsonNode replaced = ok(put(receiver, sid, 1, second), 201);
            assertThat(replaced.get("stored").asText()).isEqualTo("replaced");
            JsonNode status = ok(status(receiver, sid), 200);
            assertThat(chunks(status)).containsExactly(Map.entry(1, secondSha));
            assertThat(status.get("bytes").asLong()).isEqualTo(3000);
            assertThat(chunkFiles(sid)).containsExactly("00000001-" + secondSha + ".chunk");
        }

        @Test
        void digestMismatchIs422AndStoresNothing() throws Exception {
            String sid = startRaw(null);
            byte[] body = random(1000, 6);
            byte[] other = random(1000, 7);
            HttpResponse<String> response = receiver.put("/upload/" + sid + "/0", body,
                    "X-Chunk-Sha256", Sha256.of(other, 0, other.length));
            error(response, 422, null);
            assertThat(chunkFiles(sid)).isEmpty();
            assertThat(ok(status(receiver, sid), 200).get("received")).isEmpty();
        }

        @Test
        void digestMismatchOnAReplacementKeepsTheStoredChunk() throws Exception {
            String sid = startRaw(null);
            byte[] body = random(1000, 8);
            String sha = Sha256.of(body, 0, body.length);
            ok(put(receiver, sid, 0, body), 201);
            byte[] other = random(1000, 9);
            error(receiver.put("/upload/" + sid + "/0", other, "X-Chunk-Sha256", sha.replace(sha.charAt(0), sha.charAt(0) == 'a' ? 'b' : 'a')),
                    422, null);
            assertThat(chunks(ok(status(receiver, sid), 200))).containsExactly(Map.entry(0, sha));
            assertThat(chunkFiles(sid)).containsExactly("00000000-" + sha + ".chunk");
        }

        @Test
        void malformedDigestHeaderIs400() throws Exception {
            String sid = startRaw(null);
            error(receiver.put("/upload/" + sid + "/0", random(10, 10), "X-Chunk-Sha256", "xyz"), 400, "bad_request");
            assertThat(chunkFiles(sid)).isEmpty();
        }

        @ParameterizedTest
        @ValueSource(strings = {"0123456789abcdef0123456789abcdef", "nope", "0123456789ABCDEF0123456789ABCDEF"})
        void unknownSessionIs404(String sid) throws Exception {
            error(receiver.put("/upload/" + sid + "/0", random(10, 11)), 404, null);
        }

        @ParameterizedTest
        @ValueSource(strings = {"abc", "-1", "1.5", "99999999999", "100000000", "01", "+1", "-0", "00"})
        void badIndexIs400(String idx) throws Exception {
            String sid = startRaw(null);
            error(receiver.put("/upload/" + sid + "/" + idx, random(10, 12)), 400, "bad_request");
            assertThat(chunkFiles(sid)).isEmpty();
        }

        @Test
        void chunkAtTheLimitIsAcceptedAndOneByteMoreIs413() throws Exception {
            String sid = startRaw(null);
            ok(put(receiver, sid, 0, random((int) MAX_CHUNK, 13)), 201);
            JsonNode answer = error(put(receiver, sid, 1, random((int) MAX_CHUNK + 1, 14)), 413, "chunk_too_large");
            assertThat(answer.get("message").asText()).contains(String.valueOf(MAX_CHUNK));
            assertThat(ints(ok(status(receiver, sid), 200).get("received"))).containsExactly(0);
            assertThat(chunkFiles(sid)).hasSize(1);
        }

        @Test
        void bodyOverTheHttpLimitIs413WithoutHanging() throws Exception {
            String sid = startRaw(null);
            byte[] huge = random((int) (MAX_CHUNK + (1 << 20) + 4096), 15);
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            HttpRequest request = HttpRequest.newBuilder(receiver.uri("/upload/" + sid + "/0"))
                    .timeout(Duration.ofSeconds(15)).PUT(HttpRequest.BodyPublishers.ofByteArray(huge)).build();
            long t0 = System.nanoTime();
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
            // Netty's aggregator answers this one before Camel sees the request; the receiver's pipeline
            // gives it the same JSON error body as every other refusal
            assertThat(response.statusCode()).as(response.body()).isEqualTo(413);
            JsonNode answer = new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body());
            assertThat(answer.get("error").asText()).isEqualTo("body_too_large");
            assertThat(answer.get("message").asText()).contains(String.valueOf(MAX_CHUNK + (1 << 20)), "smaller chunks");
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(chunkFiles(sid)).isEmpty();
            // the receiver still serves requests afterwards
            ok(put(receiver, sid, 0, random(100, 16)), 201);
        }

        @Test
        void bodyOverTheHttpLimitAfterExpect100ContinueIs413WithJsonAndNoBodySent() throws Exception {
            String sid = startRaw(null);
            // a raw socket: the JDK 17 HttpClient waits forever when the answer to Expect: 100-continue is not 100
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", receiver.port())) {
                socket.setSoTimeout(10_000);
                String head = "PUT /upload/" + sid + "/0 HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\n"
                        + "Content-Length: " + (MAX_CHUNK + (2 << 20)) + "\r\n\r\n";
                socket.getOutputStream().write(head.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(
                        socket.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
                assertThat(in.readLine()).startsWith("HTTP/1.1 413");
                int length = -1;
                for (String line; !(line = in.readLine()).isEmpty(); ) {
                    if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                        length = Integer.parseInt(line.substring(15).trim());
                    }
                }
                char[] body = new char[length];
                for (int n = 0; n < length; ) {
                    n += in.read(body, n, length - n);
                }
                JsonNode answer = new com.fasterxml.jackson.databind.ObjectMapper().readTree(new String(body));
                assertThat(answer.get("error").asText()).isEqualTo("body_too_large");
            }
            assertThat(chunkFiles(sid)).isEmpty();
            ok(put(receiver, sid, 0, random(100, 18)), 201);
        }
    }

    @Nested
    class Status {

        @Test
        void listsReceivedChunksHashesBytesAndExpiry() throws Exception {
            JsonNode start = ok(receiver.send("POST", "/start", null), 201);
            String sid = start.get("session_id").asText();
            byte[] c2 = random(300, 20);
            byte[] c0 = random(700, 21);
            byte[] c5 = random(50, 22);
            ok(put(receiver, sid, 2, c2), 201);
            ok(put(receiver, sid, 0, c0), 201);
            ok(put(receiver, sid, 5, c5), 201);
            JsonNode status = ok(status(receiver, sid), 200);
            assertThat(status.get("session_id").asText()).isEqualTo(sid);
            assertThat(ints(status.get("received"))).containsExactly(0, 2, 5);
            assertThat(chunks(status)).containsExactlyInAnyOrderEntriesOf(Map.of(
                    0, Sha256.of(c0, 0, c0.length), 2, Sha256.of(c2, 0, c2.length), 5, Sha256.of(c5, 0, c5.length)));
            assertThat(status.get("bytes").asLong()).isEqualTo(1050);
            assertThat(status.get("expires_at").asText()).isEqualTo(start.get("expires_at").asText());
        }

        @Test
        void anOpenSessionIsNotFinished() throws Exception {
            String sid = startRaw(null);
            assertThat(ok(status(receiver, sid), 200).get("finished").asBoolean(true)).isFalse();
        }

        @Test
        void aPublishedSessionAnswersFinishedWithThePublishResult(@TempDir Path dir) throws Exception {
            Parcel parcel = ReceiverCalls.smallParcel(dir, "status-done", 120_000, 23);
            String sid = startArchive(receiver, "status-done");
            putAll(receiver, sid, parcel, range(0, parcel.count()));
            JsonNode published = assertPublished(receiver, finish(receiver, sid, parcel), parcel, "status-done");

            JsonNode status = ok(status(receiver, sid), 200);
            assertThat(status.get("session_id").asText()).isEqualTo(sid);
            assertThat(status.get("finished").asBoolean()).isTrue();
            for (String field : List.of("path", "files", "bytes", "sha256")) {
                assertThat(status.get(field)).as(field + " in " + status).isEqualTo(published.get(field));
            }
        }

        @Test
        void aPublishedRawSessionAnswersFinishedToo() throws Exception {
            String sid = startRaw("{\"name\":\"status-raw.bin\"}");
            byte[] data = random(1000, 24);
            ok(put(receiver, sid, 0, data), 201);
            ok(receiver.send("POST", "/finish/" + sid, null), 200);
            JsonNode status = ok(status(receiver, sid), 200);
            assertThat(status.get("finished").asBoolean()).isTrue();
            assertThat(status.get("path").asText()).isEqualTo("status-raw.bin");
            assertThat(status.get("sha256").asText()).isEqualTo(Sha256.of(data, 0, data.length));
        }

        @Test
        void newSessionHasNothing() throws Exception {
            String sid = startRaw(null);
            JsonNode status = ok(status(receiver, sid), 200);
            assertThat(status.get("received")).isEmpty();
            assertThat(status.get("chunks").size()).isZero();
            assertThat(status.get("bytes").asLong()).isZero();
        }

        @ParameterizedTest
        @ValueSource(strings = {"0123456789abcdef0123456789abcdef", "not-a-session"})
        void unknownSessionIs404(String sid) throws Exception {
            error(status(receiver, sid), 404, null);
        }
    }

    @Nested
    class Finish {

        @Test
        void archivePublishesTheTreeAndAnswersPathFilesBytesSha(@TempDir Path dir) throws Exception {
            Parcel parcel = ReceiverCalls.fidelityParcel(dir, "fin");
            assertThat(parcel.count()).isGreaterThan(3);
            String sid = startArchive(receiver, "finished/tree");
            putAll(receiver, sid, parcel, range(0, parcel.count()));
            JsonNode answer = assertPublished(receiver, finish(receiver, sid, parcel), parcel, "finished/tree");
            assertThat(answer.size()).as(answer.toString()).isEqualTo(4);
            assertThat(sessionDir(receiver, sid)).doesNotExist();
            assertThat(receiver.inbox().resolve(".caravan/staging").resolve(sid)).doesNotExist();
        }

        @Test
        void repeatedFinishAfterSuccessAnswersTheSame(@TempDir Path dir) throws Exception {
            Parcel parcel = ReceiverCalls.smallParcel(dir, "again", 150_000, 30);
            String sid = startArchive(receiver, "again");
            putAll(receiver, sid, parcel, range(0, parcel.count()));
            JsonNode first = assertPublished(receiver, finish(receiver, sid, parcel), parcel, "again");
            JsonNode second = ok(finish(receiver, sid, parcel), 200);
            assertThat(second).isEqualTo(first);
            JsonNode third = ok(receiver.send("POST", "/finish/" + sid, null), 200);
            assertThat(third).isEqualTo(first);
            ReceiverCalls.assertSameTree(parcel.source(), receiver.inbox().resolve("again"));
        }

        @Test
        void missingAndMismatchedChunksAre409PublishNothingAndTheSessionGoesOn(@TempDir Path dir) throws Exception {
            Parcel parcel = ReceiverCalls.fidelityParcel(dir, "gaps");
            int n = parcel.count();
            assertThat(n).isGreaterThanOrEqualTo(5);
            String sid = startArchive(receiver, "gaps");
            List<String> before = inboxEntries(receiver);

            List<Integer> some = range(0, n);
            some.removeAll(List.of(1, 3));
            putAll(receiver, sid, parcel, some);
            JsonNode missing = error(finish(receiver, sid, parcel), 409, "incomplete");
            assertThat(ints(missing.get("missing"))).containsExactly(1, 3);
            assertThat(missing.get("mismatched")).isEmpty();
            assertThat(inboxEntries(receiver)).isEqualTo(before);

            // chunk 1 arrives with the wrong content (no digest header to catch it): reported as mismatched
            byte[] wrong = random(parcel.part(1).length, 31);
            ok(receiver.put("/upload/" + sid + "/1", wrong), 201);
            JsonNode mismatched = error(finish(receiver, sid, parcel), 409, "incomplete");
            assertThat(ints(mismatched.get("missing"))).containsExactly(3);
            assertThat(ints(mismatched.get("mismatched"))).containsExactly(1);
            assertThat(inboxEntries(receiver)).isEqualTo(before);
            assertThat(ints(ok(status(receiver, sid), 200).get("received"))).hasSize(n - 1);

            // the session is still usable: send the right chunks and finish again
            JsonNode replaced = ok(put(receiver, sid, 1, parcel.part(1)), 201);
            assertThat(replaced.get("stored").asText()).isEqualTo("replaced");
            ok(put(receiver, sid, 3, parcel.part(3)), 201);
            assertPublished(receiver, finish(receiver, sid, parcel), parcel, "gaps");
        }

        @Test
        void wholeStreamHashMismatchIs409AndTheRightManifestStillFinishes(@TempDir Path dir) throws Exception {
            Parcel parcel = ReceiverCalls.smallParcel(dir, "streamsha", 200_000, 32);
            String sid = startArchive(receiver, "streamsha");
            putAll(receiver, sid, parcel, range(0, parcel.count()));
            Manifest m = parcel.manifest();
            String otherSha = Sha256.of(new byte[] {1}, 0, 1);
            Manifest lying = new Manifest(m.version(), m.format(), m.name(), m.codec(), m.level(), m.chunkSize(),
                    m.totalChunks(), m.totalSize(), otherSha, m.entries(), m.contentBytes(), m.createdAt(), m.chunks());
            List<String> before = inboxEntries(receiver);
            error(receiver.post("/finish/" + sid, lying.toJson()), 409, null);
            assertThat(inboxEntries(receiver)).isEqualTo(before);
            assertPublished(receiver, finish(receiver, sid, parcel), parcel, "streamsha");
        }

        @Test
        void archiveFinishWithoutOrWithABrokenManifestIs400(@TempDir Path dir) throws Exception {
            Parcel parcel = ReceiverCalls.smallParcel(dir, "nomanifest", 10_000, 33);
            String sid = startArchive(receiver, "nomanifest");
            putAll(receiver, sid, parcel, range(0, parcel.count()));
            error(receiver.send("POST", "/finish/" + sid, null), 400, null);
            error(receiver.post("/finish/" + sid, "{broken"), 400, null);
            error(receiver.post("/finish/" + sid, "{\"total_chunks\":3,\"chunks\":[]}"), 400, null);
            assertThat(receiver.inbox().resolve("nomanifest")).doesNotExist();
            assertPublished(receiver, finish(receiver, sid, parcel), parcel, "nomanifest");
        }

        @Test
        void rawSessionConcatenatesItsChunksIntoOneFile() throws Exception {
            String sid = startRaw("{\"name\":\"raw/joined.bin\"}");
            byte[] a = random(CHUNK, 34);
            byte[] b = random(CHUNK, 35);
            byte[] c = random(999, 36);
            ok(put(receiver, sid, 2, c), 201);
            ok(put(receiver, sid, 0, a), 201);
            ok(put(receiver, sid, 1, b), 201);
            byte[] all = new byte[a.length + b.length + c.length];
            System.arraycopy(a, 0, all, 0, a.length);
            System.arraycopy(b, 0, all, a.length, b.length);
            System.arraycopy(c, 0, all, a.length + b.length, c.length);
            JsonNode answer = ok(receiver.send("POST", "/finish/" + sid, null), 200);
            assertThat(answer.get("path").asText()).isEqualTo("raw/joined.bin");
            assertThat(answer.get("files").asLong()).isEqualTo(1);
            assertThat(answer.get("bytes").asLong()).isEqualTo(all.length);
            assertThat(answer.get("sha256").asText()).isEqualTo(Sha256.of(all, 0, all.length));
            assertThat(receiver.inbox().resolve("raw/joined.bin")).hasBinaryContent(all);
        }

        @Test
        void rawSessionWithAManifestIsVerifiedAgainstIt(@TempDir Path dir) throws Exception {
            Parcel parcel = ReceiverCalls.smallParcel(dir, "rawmanifest", 150_000, 70);
            String sid = startRaw("{\"name\":\"stream.tar.zst\"}");
            putAll(receiver, sid, parcel, range(0, parcel.count()));
            Manifest m = parcel.manifest();
            Manifest lying = new Manifest(m.version(), m.format(), m.name(), m.codec(), m.level(), m.chunkSize(),
                    m.totalChunks(), m.totalSize(), "0".repeat(64), m.entries(), m.contentBytes(), m.createdAt(), m.chunks());
            error(receiver.post("/finish/" + sid, lying.toJson()), 409, "incomplete");
            assertThat(receiver.inbox().resolve("stream.tar.zst")).doesNotExist();

            JsonNode answer = ok(finish(receiver, sid, parcel), 200);
            assertThat(answer.get("sha256").asText()).isEqualTo(m.sha256());
            assertThat(answer.get("bytes").asLong()).isEqualTo(m.totalSize());
            Path published = receiver.inbox().resolve("stream.tar.zst");
            byte[] content = Files.readAllBytes(published);
            assertThat(Sha256.of(content, 0, content.length)).isEqualTo(m.sha256());
            assertThat(content).hasSize((int) m.totalSize());
        }

        @Test
        void archiveFinishAcceptsSeed001Metadata(@TempDir Path dir) throws Exception {
            Parcel parcel = ReceiverCalls.smallParcel(dir, "seedmeta", 150_000, 71);
            String sid = startArchive(receiver, "seedmeta");
            putAll(receiver, sid, parcel, range(0, parcel.count()));
            JsonNode answer = ok(receiver.post("/finish/" + sid, seedMetadata(parcel.manifest())), 200);
            assertThat(answer.get("path").asText()).isEqualTo("seedmeta");
            assertThat(answer.get("sha256").asText()).as("the stream's hash, computed").isEqualTo(parcel.manifest().sha256());
            ReceiverCalls.assertSameTree(parcel.source(), receiver.inbox().resolve("seedmeta"));
        }

        @Test
        void seed001MetadataStillHasEveryChunkChecked(@TempDir Path dir) throws Exception {
            Parcel parcel = ReceiverCalls.smallParcel(dir, "seedwrong", 150_000, 72);
            String sid = startArchive(receiver, "seedwrong");
            putAll(receiver, sid, parcel, range(0, parcel.count()));
            String lying = seedMetadata(parcel.manifest()).replace(parcel.sha(1), "0".repeat(64));
            JsonNode answer = error(receiver.post("/finish/" + sid, lying), 409, "incomplete");
            assertThat(ints(answer.get("mismatched"))).containsExactly(1);
            assertThat(receiver.inbox().resolve("seedwrong")).doesNotExist();
        }

        @Test
        void rawFinishAcceptsSeed001Metadata(@TempDir Path dir) throws Exception {
            Parcel parcel = ReceiverCalls.smallParcel(dir, "seedraw", 150_000, 73);
            String sid = startRaw("{\"name\":\"seedraw.tar.zst\"}");
            putAll(receiver, sid, parcel, range(0, parcel.count()));
            JsonNode answer = ok(receiver.post("/finish/" + sid, seedMetadata(parcel.manifest())), 200);
            assertThat(answer.get("sha256").asText()).isEqualTo(parcel.manifest().sha256());
            assertThat(answer.get("bytes").asLong()).isEqualTo(parcel.manifest().totalSize());
            assertThat(receiver.inbox().resolve("seedraw.tar.zst")).hasSize(parcel.manifest().totalSize());
        }

        /** Seed 001's metadata for the parcel: version, total_chunks, chunks (index, size, checksum), and a field of its own. */
        private String seedMetadata(Manifest manifest) throws IOException {
            StringBuilder chunks = new StringBuilder();
            for (var chunk : manifest.chunks()) {
                chunks.append(chunks.length() == 0 ? "" : ",\n    ").append(String.format(
                        "{\"index\": %d, \"size\": %d, \"checksum\": \"%s\", \"offset\": 0}",
                        chunk.index(), chunk.size(), chunk.checksum()));
            }
            return "{\n  \"version\": \"1.0\",\n  \"total_chunks\": " + manifest.totalChunks()
                    + ",\n  \"compression\": \"zstd\",\n  \"chunks\": [\n    " + chunks + "\n  ]\n}";
        }

        @Test
        void rawSessionWithAGapIs409AndPublishesNothing() throws Exception {
            String sid = startRaw("{\"name\":\"gappy.bin\"}");
            ok(put(receiver, sid, 0, random(100, 37)), 201);
            ok(put(receiver, sid, 2, random(100, 38)), 201);
            JsonNode answer = error(receiver.send("POST", "/finish/" + sid, null), 409, "incomplete");
            assertThat(ints(answer.get("missing"))).containsExactly(1);
            assertThat(receiver.inbox().resolve("gappy.bin")).doesNotExist();
            ok(put(receiver, sid, 1, random(100, 39)), 201);
            ok(receiver.send("POST", "/finish/" + sid, null), 200);
            assertThat(receiver.inbox().resolve("gappy.bin")).hasSize(300);
        }

        @Test
        void rawSessionWithoutChunksIs409() throws Exception {
            String sid = startRaw("{\"name\":\"nothing.bin\"}");
            JsonNode answer = error(receiver.send("POST", "/finish/" + sid, null), 409, "incomplete");
            assertThat(ints(answer.get("missing"))).containsExactly(0);
            assertThat(receiver.inbox().resolve("nothing.bin")).doesNotExist();
        }

        @Test
        void unknownSessionIs404() throws Exception {
            error(receiver.send("POST", "/finish/0123456789abcdef0123456789abcdef", null), 404, null);
        }

        @Test
        void unknownSessionIs404WhateverManifestComesWithIt() throws Exception {
            // the session is looked up first: a sender finishing a session that expired learns that, not a manifest detail
            error(receiver.post("/finish/0123456789abcdef0123456789abcdef", "{}"), 404, "session_not_found");
            error(receiver.post("/finish/0123456789abcdef0123456789abcdef", "{broken"), 404, "session_not_found");
        }

        @Test
        void anEmptyOrHoledManifestIsRefusedInTheManifestsOwnTerms(@TempDir Path dir) throws Exception {
            String sid = startArchive(receiver, "holed");
            JsonNode holed = error(receiver.post("/finish/" + sid, "{\"chunks\":[null]}"), 400, "manifest");
            assertThat(holed.get("message").asText()).contains("the chunk list holds an empty entry")
                    .doesNotContain("Cannot construct").doesNotContain("io.caravan");
            JsonNode empty = error(receiver.post("/finish/" + sid, "{}"), 400, null);
            assertThat(empty.get("message").asText()).contains("no archive").doesNotContain("NullPointerException")
                    .doesNotContain("io.caravan");
        }
    }

    @Nested
    class Delete {

        @Test
        void deleteIs204RemovesChunksThenIs404(@TempDir Path dir) throws Exception {
            Parcel parcel = ReceiverCalls.smallParcel(dir, "del", 200_000, 40);
            String sid = startArchive(receiver, "del");
            putAll(receiver, sid, parcel, range(0, 2));
            assertThat(chunkFiles(sid)).hasSize(2);
            HttpResponse<String> delete = receiver.send("DELETE", "/sessions/" + sid, null);
            assertThat(delete.statusCode()).isEqualTo(204);
            assertThat(delete.body()).isEmpty();
            assertThat(sessionDir(receiver, sid)).doesNotExist();
            assertThat(receiver.inbox().resolve(".caravan/staging").resolve(sid)).doesNotExist();
            error(status(receiver, sid), 404, null);
            error(put(receiver, sid, 2, parcel.part(2)), 404, null);
            error(finish(receiver, sid, parcel), 404, null);
            error(receiver.send("DELETE", "/sessions/" + sid, null), 404, null);
            assertThat(receiver.inbox().resolve("del")).doesNotExist();
        }

        @Test
        void unknownSessionIs404() throws Exception {
            error(receiver.send("DELETE", "/sessions/0123456789abcdef0123456789abcdef", null), 404, null);
        }
    }

    @Nested
    class HealthAndMetrics {

        @Test
        void healthIs200() throws Exception {
            JsonNode health = ok(receiver.get("/health"), 200);
            assertThat(health.get("status").asText()).isEqualTo("UP");
            assertThat(health.size()).as("health says UP or DOWN and nothing more: " + health).isEqualTo(1);
        }

        @Test
        void metricsCountChunksBytesSessionsAndRejections() throws Exception {
            HttpResponse<String> first = receiver.get("/metrics");
            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(first.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
            double chunks = metric(first.body(), "caravan_chunks_received_total");
            double bytes = metric(first.body(), "caravan_bytes_received_bytes_total");
            assertThat(first.body()).contains("caravan_sessions_open", "caravan_parcels_published_total");

            String sid = startRaw(null);
            ok(put(receiver, sid, 0, random(1234, 50)), 201);
            ok(put(receiver, sid, 0, random(1234, 50)), 200);
            error(receiver.put("/upload/" + sid + "/1", random(10, 51), "X-Chunk-Sha256", "0".repeat(64)), 422, null);
            error(status(receiver, "0123456789abcdef0123456789abcdef"), 404, null);

            String after = receiver.get("/metrics").body();
            assertThat(metric(after, "caravan_chunks_received_total")).isEqualTo(chunks + 1);
            assertThat(metric(after, "caravan_bytes_received_bytes_total")).isEqualTo(bytes + 1234);
            assertThat(metric(after, "caravan_sessions_open")).isGreaterThanOrEqualTo(1);
            assertThat(metric(after, "caravan_rejections_total{reason=\"chunk_digest_mismatch\"}")).isGreaterThanOrEqualTo(1);
            assertThat(metric(after, "caravan_rejections_total{reason=\"session_not_found\"}")).isGreaterThanOrEqualTo(1);
        }

        /** The value of a Prometheus sample, by its name and labels as printed. */
        private double metric(String scrape, String sample) {
            Matcher m = Pattern.compile("^" + Pattern.quote(sample) + " (\\S+)$", Pattern.MULTILINE).matcher(scrape);
            assertThat(m.find()).as(sample + " in\n" + scrape).isTrue();
            return Double.parseDouble(m.group(1));
        }
    }

    @Nested
    class Check {

        @Test
        void publishedFileAboveTheThresholdIsFoundByItsHash(@TempDir Path dir) throws Exception {
            Parcel parcel = ReceiverCalls.smallParcel(dir, "dedup", 150_000, 60);
            String sid = startArchive(receiver, "dedup");
            putAll(receiver, sid, parcel, range(0, parcel.count()));
            assertPublished(receiver, finish(receiver, sid, parcel), parcel, "dedup");

            Path big = parcel.source().resolve("sub/data.bin");
            byte[] content = Files.readAllBytes(big);
            String sha = Sha256.of(content, 0, content.length);
            JsonNode hit = ok(receiver.send("POST", "/check?h=" + sha, null), 200);
            assertThat(hit.get("id").asText()).isEqualTo(sha);
            assertThat(hit.get("path").asText()).isEqualTo("dedup/sub/data.bin");
            assertThat(hit.get("size").asLong()).isEqualTo(150_000);
            assertThat(receiver.inbox().resolve(hit.get("path").asText())).hasBinaryContent(content);
            // upper case hex names the same content
            assertThat(ok(receiver.send("POST", "/check?h=" + sha.toUpperCase(), null), 200).get("id").asText()).isEqualTo(sha);

            byte[] small = Files.readAllBytes(parcel.source().resolve("readme.txt"));
            assertThat(small.length).isLessThan((int) DEDUP_MIN);
            error(receiver.send("POST", "/check?h=" + Sha256.of(small, 0, small.length), null), 404, "not_found");
        }

        @Test
        void publishedRawFileAboveTheThresholdIsFound() throws Exception {
            String sid = startRaw("{\"name\":\"raw-dedup.bin\"}");
            byte[] a = random(CHUNK, 61);
            byte[] b = random(CHUNK, 62);
            ok(put(receiver, sid, 0, a), 201);
            ok(put(receiver, sid, 1, b), 201);
            String sha = ok(receiver.send("POST", "/finish/" + sid, null), 200).get("sha256").asText();
            JsonNode hit = ok(receiver.send("POST", "/check?h=" + sha, null), 200);
            assertThat(hit.get("path").asText()).isEqualTo("raw-dedup.bin");
            assertThat(hit.get("size").asLong()).isEqualTo(2L * CHUNK);
        }

        @Test
        void unknownHashIs404AndAMalformedOneIs400() throws Exception {
            error(receiver.send("POST", "/check?h=" + "ab".repeat(32), null), 404, "not_found");
            error(receiver.send("POST", "/check?h=xyz", null), 400, "bad_request");
        }

        @Test
        void batchCheckTakesAJsonListOrAnObject(@TempDir Path dir) throws Exception {
            Parcel parcel = ReceiverCalls.smallParcel(dir, "batch", 120_000, 63);
            String sid = startArchive(receiver, "batch");
            putAll(receiver, sid, parcel, range(0, parcel.count()));
            assertPublished(receiver, finish(receiver, sid, parcel), parcel, "batch");
            byte[] content = Files.readAllBytes(parcel.source().resolve("sub/data.bin"));
            String known = Sha256.of(content, 0, content.length);
            String unknown = "cd".repeat(32);

            JsonNode list = ok(receiver.post("/check", JSON.writeValueAsString(List.of(known, unknown))), 200);
            assertThat(list.get("found").get(known).get("path").asText()).isEqualTo("batch/sub/data.bin");
            assertThat(list.get("found").get(known).get("size").asLong()).isEqualTo(120_000);
            assertThat(list.get("found").has(unknown)).isFalse();
            assertThat(list.get("missing").get(0).asText()).isEqualTo(unknown);
            assertThat(list.get("missing")).hasSize(1);

            JsonNode object = ok(receiver.post("/check", "{\"hashes\":[\"" + known + "\"]}"), 200);
            assertThat(object.get("found").get(known).get("id").asText()).isEqualTo(known);
            assertThat(object.get("missing")).isEmpty();

            error(receiver.post("/check", "{}"), 400, "bad_request");
            error(receiver.post("/check", "[\"nothex\"]"), 400, "bad_request");
        }
    }
}
