package io.caravan.receiver;

import static io.caravan.receiver.ReceiverCalls.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /health} answers {@code {"status":"UP"}} and nothing more while the state folder
 * {@code <inbox>/.caravan} is usable, and 503 {@code {"status":"DOWN"}} when it is missing, replaced
 * by a file or a link; UP again once it is back. {@code HEAD /health} (a load balancer's probe)
 * answers the same status without a body.
 */
class ReceiverHealthTest {

    @TempDir
    Path tmp;
    @RegisterExtension
    final RunningReceiver running = RunningReceiver.at(() -> tmp.resolve("inbox"));
    ReceiverFixture receiver;
    Path state;
    Path aside;

    @BeforeEach
    void startReceiver(ReceiverFixture started) throws Exception {
        receiver = started;
        state = receiver.inbox().resolve(".caravan");
        aside = tmp.resolve("state-aside");
    }

    private JsonNode health(int status) throws Exception {
        HttpResponse<String> answer = receiver.get("/health");
        JsonNode body = ReceiverCalls.json(answer);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(status);
        // DOWN because the held state folder is not at its place (moved away, a file or a link there) also says so
        java.util.Set<String> fields = new java.util.TreeSet<>();
        body.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).as(answer.body()).isSubsetOf(status == 200 ? java.util.Set.of("status")
                : java.util.Set.of("status", "state_folder"));
        return body;
    }

    @Test
    void upWhileTheStateFolderIsUsable() throws Exception {
        assertThat(health(200).get("status").asText()).isEqualTo("UP");
        assertThat(ok(receiver.get("/health"), 200).has("sessions")).isFalse();
    }

    @Test
    void aLoadBalancersHeadProbeGetsTheStatusWithoutABody() throws Exception {
        HttpResponse<String> up = receiver.send("HEAD", "/health", null);
        assertThat(up.statusCode()).as(up.body()).isEqualTo(200);
        assertThat(up.body()).isEmpty();

        Files.move(state, aside);
        assertThat(receiver.send("HEAD", "/health", null).statusCode()).isEqualTo(503);
        Files.move(aside, state);
    }

    /** A body after a HEAD answer would be read as the start of the next answer on a kept-alive connection. */
    @Test
    void aHeadAnswerCarriesNoBodyOnTheConnection() throws Exception {
        String[] answers = exchange("HEAD /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                + "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        assertThat(answers).hasSize(3);
        assertThat(answers[0]).startsWith("HTTP/1.1 200");
        assertThat(answers[1]).startsWith("HTTP/1.1 200");
        assertThat(answers[2]).isEqualTo("{\"status\":\"UP\"}");

        String[] refused = exchange("HEAD /status/none HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        assertThat(refused).hasSize(2);
        assertThat(refused[0]).matches("(?s)HTTP/1.1 4\\d\\d .*");
        assertThat(refused[1]).as("no body after the head of a HEAD answer").isEmpty();
    }

    /** Sends {@code requests} on one connection and reads until the receiver closes it: the parts between blank lines. */
    private String[] exchange(String requests) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", receiver.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(requests.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String answers = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            return answers.split("\r\n\r\n", -1);
        }
    }

    @Test
    void downWhenTheStateFolderIsMissingAFileOrALink() throws Exception {
        Files.move(state, aside);
        assertThat(health(503).get("status").asText()).isEqualTo("DOWN");

        Files.writeString(state, "not a folder");
        assertThat(health(503).get("status").asText()).isEqualTo("DOWN");

        Files.delete(state);
        Files.createSymbolicLink(state, aside);
        assertThat(health(503).get("status").asText()).isEqualTo("DOWN");

        Files.delete(state);
        Files.move(aside, state);
        assertThat(health(200).get("status").asText()).isEqualTo("UP");
    }

    /**
     * A state folder removed while the receiver runs (a cleanup job's {@code rm -rf} of the inbox, which something
     * then makes again) is not the one the receiver holds open: health says so (503 DOWN, {@code "state_folder":
     * "removed"}) and a new session is answered 503 {@code state_folder_removed} saying to restart the receiver,
     * where it answered 500 internal for every start, and health said UP, until someone read the log.
     */
    @Test
    void aStateFolderRemovedWhileTheReceiverRunsIsSaidSo() throws Exception {
        try (io.caravan.fs.ConfinedDir inbox = io.caravan.fs.ConfinedDir.open(receiver.inbox())) {
            inbox.deleteTree(".caravan");
        }
        Files.createDirectories(state.resolve("sessions"));

        HttpResponse<String> answer = receiver.get("/health");
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(503);
        JsonNode body = ReceiverCalls.json(answer);
        assertThat(body.get("status").asText()).isEqualTo("DOWN");
        assertThat(body.get("state_folder").asText()).isEqualTo("removed");

        HttpResponse<String> start = receiver.send("POST", "/start", ReceiverCalls.startBody("after", java.util.Map.of())
                .getBytes(java.nio.charset.StandardCharsets.UTF_8), "Content-Type", "application/json");
        JsonNode refused = ReceiverCalls.error(start, 503, "state_folder_removed");
        String message = refused.get("message").asText();
        assertThat(message).contains(".caravan", "was removed or moved away while it ran");
        // a sender shows the first 200 characters of a receiver's message: what to do comes first
        assertThat(message.substring(0, Math.min(message.length(), 200))).contains("restart the receiver");
    }

    /**
     * A state folder moved away while the receiver runs, another made in its place, is not the one the receiver
     * writes to either: before, sessions went on in the moved folder while parcels were published by path, and
     * health said UP.
     */
    @Test
    void aStateFolderMovedAwayAndMadeAgainIsSaidToBeGone() throws Exception {
        Files.move(state, aside);
        Files.createDirectories(state.resolve("sessions"));

        HttpResponse<String> answer = receiver.get("/health");
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(503);
        assertThat(ReceiverCalls.json(answer).get("state_folder").asText()).isEqualTo("removed");

        try (io.caravan.fs.ConfinedDir inbox = io.caravan.fs.ConfinedDir.open(receiver.inbox())) {
            inbox.deleteTree(".caravan");
        }
        Files.move(aside, state);
        assertThat(health(200).get("status").asText()).as("its own folder back in place").isEqualTo("UP");
    }
}
