package io.caravan.receiver;

import static io.caravan.receiver.ReceiverCalls.JSON;
import static io.caravan.receiver.ReceiverCalls.error;
import static io.caravan.receiver.ReceiverCalls.ints;
import static io.caravan.receiver.ReceiverCalls.ok;
import static io.caravan.receiver.ReceiverCalls.put;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.pack.ChunkInfo;
import io.caravan.pack.Manifest;
import io.caravan.pack.PackOptions;
import io.caravan.sender.ReceiverClient;
import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * No request costs more than the data that exists: JSON bodies over {@code max-json-body} are 413
 * (the default still takes the manifest of a 1 TiB parcel), a finish lists at most a bounded part of
 * what is missing and says how much, and mirror changes above {@code max-mirror-changes} per request
 * are 413 with nothing changed.
 */
class ReceiverBoundedWorkTest {

    @TempDir
    static Path tmp;

    /** A manifest with {@code count} chunks of {@code size} bytes (hashes made up). */
    static String manifest(int count, long size) {
        List<ChunkInfo> chunks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            chunks.add(new ChunkInfo(i, size, String.format("%064x", i)));
        }
        return new Manifest(Manifest.VERSION, Manifest.FORMAT, "big", "zstd", 3, size, count, count * size,
                "0".repeat(64), null, null, null, chunks).toJson();
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class WithSmallLimits {

        ReceiverFixture receiver;

        @BeforeAll
        void start() throws Exception {
            receiver = new ReceiverFixture(tmp.resolve("small"), Map.of(
                    "caravan.receiver.max-json-body", "64KiB",
                    "caravan.receiver.max-mirror-changes", "1000"));
        }

        @AfterAll
        void stop() throws Exception {
            receiver.close();
        }

        private String path(String endpoint) throws Exception {
            if (!endpoint.equals("/finish")) {
                return endpoint;
            }
            return "/finish/" + ok(receiver.post("/start", "{\"codec\":\"zstd\"}"), 201).get("session_id").asText();
        }

        @ParameterizedTest
        @ValueSource(strings = {"/start", "/finish", "/check", "/mirror/changes?name=m"})
        void aJsonBodyOverTheLimitIs413WithJson(String endpoint) throws Exception {
            String big = "{\"delete\":[\"" + "x".repeat(100_000) + "\"],\"name\":\"y\"}";
            JsonNode answer = error(receiver.post(path(endpoint), big), 413, "body_too_large");
            assertThat(answer.get("message").asText()).contains("65536", "max-json-body");

            // sent in chunked transfer encoding, without a length to judge from the headers
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpRequest chunked = HttpRequest.newBuilder(receiver.uri(path(endpoint))).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big.getBytes(StandardCharsets.UTF_8))))
                    .build();
            error(client.send(chunked, HttpResponse.BodyHandlers.ofString()), 413, "body_too_large");
            assertThat(receiver.inbox().resolve("m")).doesNotExist();
        }

        @Test
        void mirrorChangesOverTheLimitAre413AndChangeNothing() throws Exception {
            Path mirror = Files.createDirectories(receiver.inbox().resolve("limited"));
            Files.writeString(mirror.resolve("kept.txt"), "kept");
            List<String> deletes = new ArrayList<>();
            deletes.add("kept.txt");
            for (int i = 0; i < 1000; i++) {
                deletes.add("d" + i);
            }
            JsonNode answer = error(receiver.post("/mirror/changes?name=limited",
                    JSON.writeValueAsString(Map.of("delete", deletes))), 413, "too_many_changes");
            assertThat(answer.get("message").asText()).contains("1001", "1000");
            assertThat(mirror.resolve("kept.txt")).hasContent("kept");
            ok(receiver.post("/mirror/changes?name=limited", JSON.writeValueAsString(Map.of("delete", deletes.subList(0, 1000)))), 200);
            assertThat(mirror.resolve("kept.txt")).doesNotExist();
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class SenderSplitsChanges {

        ReceiverFixture receiver;

        @BeforeAll
        void start() throws Exception {
            receiver = new ReceiverFixture(tmp.resolve("split"), Map.of("caravan.receiver.max-mirror-changes", "1000"));
        }

        @AfterAll
        void stop() throws Exception {
            receiver.close();
        }

        @Test
        void aSenderSendsManyChangesInRequestsTheReceiverTakes() throws Exception {
            Path mirror = Files.createDirectories(receiver.inbox().resolve("split"));
            List<Map<String, String>> renames = new ArrayList<>();
            List<String> deletes = new ArrayList<>();
            for (int i = 0; i < 1500; i++) {
                Files.writeString(mirror.resolve("r" + i), "r");
                Files.writeString(mirror.resolve("d" + i), "d");
                renames.add(Map.of("from", "r" + i, "to", "moved" + i));
                deletes.add("d" + i);
            }
            ReceiverClient client = new ReceiverClient("http://127.0.0.1:" + receiver.port(), null, Duration.ofSeconds(30));
            JsonNode answer = client.mirrorChanges("split", Map.of("rename", renames, "delete", deletes));
            assertThat(answer.get("renamed").size()).isEqualTo(1500);
            assertThat(answer.get("deleted").size()).isEqualTo(1500);
            assertThat(answer.get("skipped").size()).isZero();
            try (var left = Files.list(mirror)) {
                assertThat(left.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("moved")).toList()).isEmpty();
            }
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class WithDefaults {

        ReceiverFixture receiver;

        @BeforeAll
        void start() throws Exception {
            receiver = new ReceiverFixture(tmp.resolve("defaults"));
        }

        @AfterAll
        void stop() throws Exception {
            receiver.close();
        }

        @Test
        void theManifestOfA1TiBParcelIsReadAndItsMissingChunksListedInPart() throws Exception {
            int count = (int) ((1L << 40) / PackOptions.DEFAULT_CHUNK_SIZE);
            String manifest = manifest(count, PackOptions.DEFAULT_CHUNK_SIZE);
            String sid = ok(receiver.post("/start", "{\"codec\":\"zstd\",\"name\":\"tebibyte\"}"), 201).get("session_id").asText();
            JsonNode answer = error(receiver.post("/finish/" + sid, manifest), 409, "incomplete");
            assertThat(answer.get("missing_count").asLong()).isEqualTo(count);
            assertThat(answer.get("missing").size()).isBetween(1, 1000);
            assertThat(answer.get("missing").get(0).asInt()).isZero();
        }

        @Test
        void aRawFinishOverAHugeGapListsABoundedPartOfWhatIsMissing() throws Exception {
            String sid = ok(receiver.send("POST", "/start", null), 201).get("session_id").asText();
            ok(put(receiver, sid, 0, new byte[] {1}), 201);
            ok(put(receiver, sid, 99_999_999, new byte[] {2}), 201);
            long t0 = System.nanoTime();
            JsonNode answer = error(receiver.send("POST", "/finish/" + sid, null), 409, "incomplete");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
            assertThat(answer.get("missing_count").asLong()).isEqualTo(99_999_998L);
            assertThat(ints(answer.get("missing"))).hasSizeBetween(1, 1000).startsWith(1, 2, 3);
            assertThat(answer.get("message").asText()).contains("99999998");
        }

        /**
         * A body of tiny values (two or three bytes each, far under max-json-body) would become millions
         * of objects once parsed: each endpoint takes as many values as its request can need, counted by
         * streaming through the body before it is built (413 too_many_values).
         */
        @ParameterizedTest
        @ValueSource(strings = {"/start", "/check", "/mirror/changes?name=values", "/finish"})
        void aBodyOfMillionsOfTinyValuesIs413BeforeItIsBuilt(String endpoint) throws Exception {
            String body = switch (endpoint) {
                case "/start" -> "{\"name\":\"values\",\"x\":[" + "0,".repeat(5000) + "0]}";
                case "/check" -> "[" + "{},".repeat(3_000_000) + "{}]";
                case "/finish" -> "{\"chunks\":[" + "{},".repeat(3_000_000) + "{}]}";
                default -> "{\"rename\":[{\"from\":\"a\",\"to\":\"b\"," + "\"x\":{},".repeat(2_000_000) + "\"y\":0}]}";
            };
            String path = endpoint;
            if (endpoint.equals("/finish")) {
                path += "/" + ok(receiver.post("/start", "{\"codec\":\"zstd\",\"name\":\"values\"}"), 201)
                        .get("session_id").asText();
            }
            long t0 = System.nanoTime();
            JsonNode answer = error(receiver.post(path, body), 413, "too_many_values");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
            assertThat(answer.get("message").asText()).contains("values").contains(endpoint.replaceAll("\\?.*", ""));
        }

        @Test
        void fiveHundredThousandMirrorDeletesInOneRequestAre413() throws Exception {
            Path mirror = Files.createDirectories(receiver.inbox().resolve("many"));
            Files.writeString(mirror.resolve("kept.txt"), "kept");
            List<String> deletes = new ArrayList<>();
            for (int i = 0; i < 500_000; i++) {
                deletes.add("folder/file-" + i);
            }
            deletes.add("kept.txt");
            long t0 = System.nanoTime();
            error(receiver.post("/mirror/changes?name=many", JSON.writeValueAsString(Map.of("delete", deletes))),
                    413, "too_many_changes");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
            assertThat(mirror.resolve("kept.txt")).hasContent("kept");
        }
    }
}
