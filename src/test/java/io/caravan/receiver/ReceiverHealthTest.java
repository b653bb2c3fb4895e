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
 * by a file or a link; UP again once it is back.
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
        assertThat(body.size()).as(answer.body()).isEqualTo(1);
        return body;
    }

    @Test
    void upWhileTheStateFolderIsUsable() throws Exception {
        assertThat(health(200).get("status").asText()).isEqualTo("UP");
        assertThat(ok(receiver.get("/health"), 200).has("sessions")).isFalse();
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
}
