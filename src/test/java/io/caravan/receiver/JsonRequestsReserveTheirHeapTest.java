package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real receiver whose JSON requests may hold 1 MiB of heap ({@code caravan.receiver.json-memory}), four
 * times each body: a request with a body reserves that from its headers, before its body is read, and
 * holds it until its answer has gone; one that finds the budget taken is answered 503 {@code busy} with
 * {@code Retry-After}, one larger than the whole budget 413, and a body sent in chunks that brings more than
 * the budget takes 413 too. Once the clients are gone, nothing is held.
 */
class JsonRequestsReserveTheirHeapTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long BUDGET = 1L << 20;

    @TempDir
    Path dir;
    private ReceiverFixture receiver;

    @BeforeEach
    void start() throws Exception {
        receiver = new ReceiverFixture(dir.resolve("inbox"), Map.of(JsonMemory.SETTING, String.valueOf(BUDGET)));
    }

    @AfterEach
    void stop() throws Exception {
        receiver.close();
    }

    @Test
    void aRequestTheBudgetHasNoRoomForIsToldToComeBack() throws Exception {
        byte[] check = hashes(2900); // 194 KB: 777 KB of heap
        try (Socket slow = RawSockets.open(receiver.port())) {
            RawSockets.write(slow, "POST /check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                    + check.length + "\r\n\r\n[\"");
            await().atMost(Duration.ofSeconds(5)).until(() -> held() == 4.0 * check.length);

            HttpResponse<String> refused = receiver.send("POST", "/check", check, "Content-Type", "application/json");

            assertThat(refused.statusCode()).as(excerpt(refused.body())).isEqualTo(503);
            JsonNode answer = JSON.readTree(refused.body());
            assertThat(answer.path("error").asText()).isEqualTo("busy");
            assertThat(answer.path("message").asText()).contains(JsonMemory.SETTING, "retry later");
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        }
        await("the slow client's heap given back when it left").atMost(Duration.ofSeconds(5)).until(() -> held() == 0);

        HttpResponse<String> answered = receiver.send("POST", "/check", check, "Content-Type", "application/json");
        assertThat(answered.statusCode()).as(excerpt(answered.body())).isEqualTo(200);
        assertThat(JSON.readTree(answered.body()).path("missing").size()).isEqualTo(2900);
        await("given back once its answer went").atMost(Duration.ofSeconds(5)).until(() -> held() == 0);
    }

    @Test
    void aRequestLargerThanTheWholeBudgetCouldNeverBeServed() throws Exception {
        HttpResponse<String> refused = receiver.send("POST", "/check", hashes(4000), "Content-Type", "application/json");

        assertThat(refused.statusCode()).as(excerpt(refused.body())).isEqualTo(413);
        JsonNode answer = JSON.readTree(refused.body());
        assertThat(answer.path("error").asText()).isEqualTo("body_too_large");
        assertThat(answer.path("message").asText()).contains("268001 bytes", JsonMemory.SETTING);
        assertThat(held()).isZero();
    }

    @Test
    void aBodySentInChunksMayBringWhatTheBudgetTakes() throws Exception {
        assertThat(chunked(hashes(1000)).statusLine()).startsWith("HTTP/1.1 200");
        await().atMost(Duration.ofSeconds(5)).until(() -> held() == 0);

        RawAnswer refused = chunked(hashes(4000));

        assertThat(refused.statusLine()).as(excerpt(refused.body())).startsWith("HTTP/1.1 413");
        assertThat(JSON.readTree(refused.body()).path("message").asText()).contains(JsonMemory.SETTING);
        await().atMost(Duration.ofSeconds(5)).until(() -> held() == 0);
    }

    /** POSTs {@code body} to /check in chunks of 16 KiB on a connection of its own; its answer. */
    private RawAnswer chunked(byte[] body) throws Exception {
        try (Socket socket = RawSockets.open(receiver.port())) {
            RawSockets.write(socket, "POST /check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n");
            try {
                for (int at = 0; at < body.length; at += 16384) {
                    int length = Math.min(16384, body.length - at);
                    socket.getOutputStream().write((Integer.toHexString(length) + "\r\n").getBytes());
                    socket.getOutputStream().write(body, at, length);
                    socket.getOutputStream().write("\r\n".getBytes());
                }
                RawSockets.write(socket, "0\r\n\r\n");
            } catch (java.io.IOException e) {
                // refused part way: the answer is read below
            }
            return RawAnswer.read(new BufferedInputStream(socket.getInputStream()));
        }
    }

    private static String excerpt(String body) {
        return body.length() <= 300 ? body : body.substring(0, 300) + "...";
    }

    private double held() throws Exception {
        Matcher m = Pattern.compile("(?m)^caravan_json_memory_held_bytes (\\S+)$").matcher(receiver.get("/metrics").body());
        assertThat(m.find()).as("the gauge of the JSON memory").isTrue();
        return Double.parseDouble(m.group(1));
    }

    /** A JSON list of {@code count} random SHA-256 hashes: 67 bytes each, and 1. */
    private static byte[] hashes(int count) {
        Random random = new Random(count);
        byte[] hash = new byte[32];
        StringBuilder list = new StringBuilder().append('[');
        for (int i = 0; i < count; i++) {
            random.nextBytes(hash);
            list.append(i == 0 ? "\"" : ",\"").append(HexFormat.of().formatHex(hash)).append('"');
        }
        return list.append(']').toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
