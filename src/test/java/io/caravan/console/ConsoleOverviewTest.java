package io.caravan.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.receiver.RawAnswer;
import io.caravan.receiver.ReceiverFixture;
import io.caravan.receiver.RunningReceiver;
import io.caravan.util.Sha256;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /console/api/overview} lists an upload while it runs (bytes so far, start time) and,
 * once published, the finished transfer from the audit trail with its files, bytes, SHA-256, duration
 * and client; refusals appear among the failures with their reason; shares are an empty list.
 */
class ConsoleOverviewTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] AUTH = {"Authorization", "Bearer secret"};
    private static final int CHUNK = 64 * 1024;

    @TempDir
    Path tmp;
    @RegisterExtension
    final RunningReceiver running = RunningReceiver.at(() -> tmp.resolve("inbox")).token("secret");
    ReceiverFixture receiver;

    @BeforeEach
    void started(ReceiverFixture started) {
        receiver = started;
    }

    private JsonNode overview() throws Exception {
        HttpResponse<String> answer = receiver.send("GET", "/console/api/overview", null, AUTH);
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        return JSON.readTree(answer.body());
    }

    private HttpResponse<String> send(String method, String path, byte[] body, String... headers) throws Exception {
        String[] all = new String[headers.length + 2];
        System.arraycopy(headers, 0, all, 0, headers.length);
        all[headers.length] = AUTH[0];
        all[headers.length + 1] = AUTH[1];
        return receiver.send(method, path, body, all);
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private String startRaw(String name) throws Exception {
        return JSON.readTree(send("POST", "/start", ("{\"name\":" + JSON.writeValueAsString(name) + ",\"kind\":\"raw\",\"chunk_size\":"
                + CHUNK + "}").getBytes(StandardCharsets.UTF_8), "Content-Type", "application/json").body()).get("session_id").asText();
    }

    private void upload(String sid, int index, byte[] body) throws Exception {
        assertThat(send("PUT", "/upload/" + sid + "/" + index, body, "X-Chunk-Sha256", Sha256.of(body, 0, body.length))
                .statusCode()).isEqualTo(201);
    }

    @Test
    void aRunningUploadIsListedLiveThenAsAFinishedTransfer() throws Exception {
        String sid = startRaw("report <b>.bin");
        byte[] first = random(CHUNK, 1);
        byte[] last = random(1000, 2);
        upload(sid, 0, first);

        JsonNode live = overview().get("sessions");
        assertThat(live).hasSize(1);
        assertThat(live.get(0).get("id").asText()).isEqualTo(sid);
        assertThat(live.get(0).get("name").asText()).isEqualTo("report <b>.bin");
        assertThat(live.get(0).get("bytes").asLong()).isEqualTo(CHUNK);
        assertThat(live.get(0).get("chunks").asInt()).isEqualTo(1);
        assertThat(live.get(0).get("started_at").asText()).isNotBlank();
        assertThat(live.get(0).has("bytes_per_second")).isTrue();
        assertThat(overview().get("received_bytes").asLong()).isGreaterThanOrEqualTo(CHUNK);

        upload(sid, 1, last);
        assertThat(send("POST", "/finish/" + sid, null).statusCode()).isEqualTo(200);
        byte[] whole = new byte[CHUNK + 1000];
        System.arraycopy(first, 0, whole, 0, CHUNK);
        System.arraycopy(last, 0, whole, CHUNK, 1000);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode overview = overview();
            assertThat(overview.get("sessions")).isEmpty();
            JsonNode transfer = overview.get("transfers").get(0);
            assertThat(transfer.get("name").asText()).isEqualTo("report <b>.bin");
            assertThat(transfer.get("session").asText()).isEqualTo(sid);
            assertThat(transfer.get("files").asLong()).isEqualTo(1);
            assertThat(transfer.get("bytes").asLong()).isEqualTo(whole.length);
            assertThat(transfer.get("sha256").asText()).isEqualTo(Sha256.of(whole, 0, whole.length));
            assertThat(transfer.get("duration_ms").asLong()).isNotNegative();
            assertThat(transfer.get("client").asText()).isEqualTo("127.0.0.1");
            assertThat(transfer.get("result").asText()).isEqualTo("ok");
        });
    }

    @Test
    void anAnnouncedSizeGivesTheProgressAndAnEta() throws Exception {
        JsonNode started = JSON.readTree(send("POST", "/start",
                ("{\"name\":\"sized\",\"kind\":\"raw\",\"chunk_size\":" + CHUNK + ",\"size\":" + (3 * CHUNK) + "}")
                        .getBytes(StandardCharsets.UTF_8), "Content-Type", "application/json").body());
        upload(started.get("session_id").asText(), 0, random(CHUNK, 3));

        JsonNode live = overview().get("sessions").get(0);
        assertThat(live.get("expected_bytes").asLong()).isEqualTo(3 * CHUNK);
        assertThat(live.get("eta_seconds").asLong()).isNotNegative();
    }

    @Test
    void aSizeThatIsNotACountOfBytesIsRefused() throws Exception {
        HttpResponse<String> answer = send("POST", "/start", "{\"name\":\"x\",\"size\":-5}".getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/json");
        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(answer.body()).get("error").asText()).isEqualTo("bad_request");
    }

    @Test
    void refusalsAreListedAmongTheFailuresWithTheirReason() throws Exception {
        JsonNode started = JSON.readTree(send("POST", "/start", "{\"name\":\"bad\"}".getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/json").body());
        send("PUT", "/upload/" + started.get("session_id").asText() + "/0", new byte[] {1, 2, 3}, "X-Chunk-Sha256", "0".repeat(64));
        receiver.send("GET", "/console/api/overview", null, "Authorization", "Bearer wrong");

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode failures = overview().get("failures");
            assertThat(failures.findValues("result").stream().map(JsonNode::asText))
                    .contains("chunk_digest_mismatch", "unauthorized");
            assertThat(failures.findValues("event").stream().map(JsonNode::asText)).contains("rejection", "auth_failure");
        });
    }

    @Test
    void aFloodOfRefusedRequestsLeavesTheRecentTransfersInView() throws Exception {
        String sid = startRaw("kept in view");
        upload(sid, 0, random(1000, 4));
        assertThat(send("POST", "/finish/" + sid, null).statusCode()).isEqualTo(200);

        // 1,100 requests refused one by one (a malformed escape, with the token): each is an audit line
        StringBuilder requests = new StringBuilder();
        for (int i = 0; i < 1100; i++) {
            requests.append("GET /status/%zz").append(i).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer secret\r\n\r\n");
        }
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", receiver.port())) {
            socket.setSoTimeout(30_000);
            java.io.InputStream in = new java.io.BufferedInputStream(socket.getInputStream());
            Thread writer = new Thread(() -> {
                try {
                    socket.getOutputStream().write(requests.toString().getBytes(StandardCharsets.US_ASCII));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            writer.start();
            for (int i = 0; i < 1100; i++) {
                assertThat(RawAnswer.read(in).statusLine()).startsWith("HTTP/1.1 400");
            }
            writer.join();
        }

        JsonNode overview = overview();
        assertThat(overview.get("failures")).hasSize(50);
        assertThat(overview.get("transfers").findValues("session").stream().map(JsonNode::asText)).contains(sid);
    }

    @Test
    void sharesAreAnEmptyListAndMirrorsAList() throws Exception {
        JsonNode overview = overview();
        assertThat(overview.get("shares").isArray()).isTrue();
        assertThat(overview.get("shares")).isEmpty();
        assertThat(overview.get("mirrors").isArray()).isTrue();
    }
}
