package io.caravan.receiver;

import static io.caravan.receiver.ReceiverCalls.assertPublished;
import static io.caravan.receiver.ReceiverCalls.error;
import static io.caravan.receiver.ReceiverCalls.finish;
import static io.caravan.receiver.ReceiverCalls.ok;
import static io.caravan.receiver.ReceiverCalls.put;
import static io.caravan.receiver.ReceiverCalls.putAll;
import static io.caravan.receiver.ReceiverCalls.range;
import static io.caravan.receiver.ReceiverCalls.sessionDir;
import static io.caravan.receiver.ReceiverCalls.startArchive;
import static io.caravan.receiver.ReceiverCalls.startBody;
import static io.caravan.receiver.ReceiverCalls.status;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.receiver.ReceiverCalls.Parcel;
import io.caravan.sender.ReceiverClient;
import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * With caravan.receiver.token set, every request but {@code GET /health} needs 'Authorization: Bearer
 * <token>'; others get 401 JSON from their headers alone, before any body byte is read or a
 * {@code 100 Continue} is sent.
 */
class ReceiverAuthTest {

    private static final String[] GOOD = {"Authorization", "Bearer secret"};

    @TempDir
    static Path tmp;
    @RegisterExtension
    static final RunningReceiver RUNNING = RunningReceiver.at(() -> tmp.resolve("inbox")).token("secret")
            .property("caravan.receiver.wrong-token-burst", "1000"); // every refusal here is a 401, none slowed (WrongTokenThrottleTest)
    static ReceiverFixture receiver;
    static Parcel parcel;

    @BeforeAll
    static void startReceiver(ReceiverFixture started) throws Exception {
        receiver = started;
        parcel = ReceiverCalls.smallParcel(tmp, "auth", 150_000, 9);
    }

    private static long sessions() throws Exception {
        try (var dirs = Files.list(receiver.inbox().resolve(".caravan/sessions"))) {
            return dirs.count();
        }
    }

    /** Header pairs for each way of getting it wrong: none, wrong token, wrong scheme. */
    private static String[] bad(String how) {
        return switch (how) {
            case "none" -> new String[0];
            case "wrong" -> new String[] {"Authorization", "Bearer guess"};
            case "prefix" -> new String[] {"Authorization", "Bearer secretive"};
            case "empty" -> new String[] {"Authorization", "Bearer "};
            case "basic" -> new String[] {"Authorization", "Basic c2VjcmV0OnNlY3JldA=="};
            default -> new String[] {"Authorization", "secret"};
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "wrong", "prefix", "empty", "basic", "bare"})
    void requestsWithoutTheRightTokenAre401AndChangeNothing(String how) throws Exception {
        String[] headers = bad(how);
        String sid = startArchive(receiver, "kept-" + how, Map.of(), GOOD);
        putAll(receiver, sid, parcel, range(0, 1), GOOD);
        long open = sessions();

        byte[] options = startBody("x", Map.of()).getBytes(StandardCharsets.UTF_8);
        String[] json = concat(headers, "Content-Type", "application/json");
        error(receiver.send("POST", "/start", options, json), 401, "unauthorized");
        assertThat(sessions()).isEqualTo(open);

        error(put(receiver, sid, 1, parcel.part(1), headers), 401, "unauthorized");
        error(status(receiver, sid, headers), 401, "unauthorized");
        error(finish(receiver, sid, parcel, headers), 401, "unauthorized");
        error(receiver.send("DELETE", "/sessions/" + sid, null, headers), 401, "unauthorized");
        error(receiver.send("POST", "/check?h=" + parcel.sha(0), null, headers), 401, "unauthorized");
        error(receiver.send("POST", "/check", "[]".getBytes(StandardCharsets.UTF_8), json), 401, "unauthorized");
        // an unknown session is not revealed either
        error(status(receiver, "0123456789abcdef0123456789abcdef", headers), 401, "unauthorized");

        assertThat(ReceiverCalls.ints(ok(status(receiver, sid, GOOD), 200).get("received"))).containsExactly(0);
        assertThat(sessionDir(receiver, sid)).isDirectory();
        assertThat(receiver.inbox().resolve("kept-" + how)).doesNotExist();
    }

    @Test
    void theRightTokenWorksForTheWholeFlow() throws Exception {
        String sid = startArchive(receiver, "with-token", Map.of(), GOOD);
        putAll(receiver, sid, parcel, range(0, parcel.count()), GOOD);
        assertThat(ReceiverCalls.ints(ok(status(receiver, sid, GOOD), 200).get("received"))).isEqualTo(range(0, parcel.count()));
        assertPublished(receiver, finish(receiver, sid, parcel, GOOD), parcel, "with-token");
        ok(receiver.send("POST", "/check", "[]".getBytes(StandardCharsets.UTF_8), concat(GOOD, "Content-Type", "application/json")), 200);

        String other = startArchive(receiver, "deleted", Map.of(), GOOD);
        assertThat(receiver.send("DELETE", "/sessions/" + other, null, GOOD).statusCode()).isEqualTo(204);
        assertThat(sessionDir(receiver, other)).doesNotExist();
    }

    /** The scheme's name is case-insensitive (RFC 9110, 11.1) and may be followed by more than one space; the token is not. */
    @ParameterizedTest
    @ValueSource(strings = {"bearer secret", "BEARER secret", "Bearer   secret", "bEaReR secret"})
    void theSchemeIsMatchedWhateverItsCase(String authorization) throws Exception {
        ok(receiver.send("POST", "/check", "[]".getBytes(StandardCharsets.UTF_8), "Authorization", authorization,
                "Content-Type", "application/json"), 200);
        error(receiver.send("POST", "/check", "[]".getBytes(StandardCharsets.UTF_8), "Authorization",
                authorization.replace("secret", "SECRET"), "Content-Type", "application/json"), 401, "unauthorized");
    }

    @Test
    void healthStaysOpenForProbesAndSaysNothingMore() throws Exception {
        JsonNode health = ok(receiver.get("/health"), 200);
        assertThat(health.get("status").asText()).isEqualTo("UP");
        assertThat(health.size()).as(health.toString()).isEqualTo(1);
    }

    @Test
    void metricsNeedTheToken() throws Exception {
        error(receiver.get("/metrics"), 401, "unauthorized");
        HttpResponse<String> metrics = receiver.send("GET", "/metrics", null, GOOD);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("caravan_sessions_open")
                .as("refusals of the pipeline are counted").contains("caravan_rejections_total{reason=\"unauthorized\"}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "wrong"})
    void aRefusedUploadIsAnsweredFromItsHeadersWithoutAContinueAndBeforeItsBody(String how) throws Exception {
        String sid = startArchive(receiver, "continue-" + how, Map.of(), GOOD);
        String authorization = how.equals("none") ? "" : "Authorization: Bearer guess\r\n";
        try (Socket socket = new Socket("127.0.0.1", receiver.port())) {
            socket.setSoTimeout(10_000);
            // a client that waits for 100 Continue must get the refusal instead, and send nothing
            write(socket, "PUT /upload/" + sid + "/0 HTTP/1.1\r\nHost: 127.0.0.1\r\n" + authorization
                    + "Expect: 100-continue\r\nContent-Length: 33554432\r\n\r\n");
            RawAnswer answer = RawAnswer.read(socket.getInputStream());
            assertThat(answer.statusLine()).startsWith("HTTP/1.1 401");
            assertThat(ReceiverCalls.JSON.readTree(answer.body()).get("error").asText()).isEqualTo("unauthorized");
        }
        try (Socket socket = new Socket("127.0.0.1", receiver.port())) {
            socket.setSoTimeout(10_000);
            // a client that sends its body at once is answered before the body has arrived (none of it is sent here)
            write(socket, "PUT /upload/" + sid + "/0 HTTP/1.1\r\nHost: 127.0.0.1\r\n" + authorization
                    + "Content-Length: 33554432\r\n\r\n");
            RawAnswer answer = RawAnswer.read(socket.getInputStream());
            assertThat(answer.statusLine()).startsWith("HTTP/1.1 401");
            assertThat(answer.headers()).containsEntry("content-type", "application/json");
        }
        assertThat(ReceiverCalls.ints(ok(status(receiver, sid, GOOD), 200).get("received"))).isEmpty();
    }

    @Test
    void aRefusedJsonRequestIsAnsweredBeforeItsBody() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", receiver.port())) {
            socket.setSoTimeout(10_000);
            write(socket, "POST /start HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 1000000\r\n\r\n{\"name\":");
            assertThat(RawAnswer.read(socket.getInputStream()).statusLine()).startsWith("HTTP/1.1 401");
        }
    }

    @Test
    void aTokenBeyondAsciiIsComparedAsUtf8Bytes() throws Exception {
        String token = "sécret-ключ";
        try (ReceiverFixture utf8 = new ReceiverFixture(tmp.resolve("utf8-inbox"), Map.of("caravan.receiver.token", token))) {
            String url = "http://127.0.0.1:" + utf8.port();
            JsonNode started = new ReceiverClient(url, token, java.time.Duration.ofSeconds(10))
                    .start(Map.of("name", "utf8"));
            assertThat(started.get("session_id").asText()).matches("[0-9a-f]{32}");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ReceiverClient(url, "sécret-ключ!",
                    java.time.Duration.ofSeconds(10)).start(Map.of("name", "x"))).hasMessageContaining("401");
        }
    }

    private static void write(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
    }

    private static String[] concat(String[] headers, String... more) {
        List<String> all = new java.util.ArrayList<>(List.of(headers));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }
}
