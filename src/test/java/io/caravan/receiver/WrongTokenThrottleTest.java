package io.caravan.receiver;

import static io.caravan.receiver.ReceiverCalls.error;
import static io.caravan.receiver.ReceiverCalls.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client address that keeps sending wrong bearer tokens is slowed to one try each
 * {@link WrongTokenLimit#EVERY} once it has used {@link WrongTokenLimit#BURST}: its requests get 429
 * {@code too_many_wrong_tokens} with {@code Retry-After}, the right token among them included (it is not
 * compared, so guessing goes no faster), until its next try is due; the token-free {@code /health} stays open.
 */
class WrongTokenThrottleTest {

    private static final String[] GOOD = {"Authorization", "Bearer secret"};

    @TempDir
    Path tmp;
    private ReceiverFixture receiver;

    @BeforeEach
    void start() throws Exception {
        receiver = new ReceiverFixture(tmp.resolve("inbox"), Map.of("caravan.receiver.token", "secret"));
    }

    @AfterEach
    void stop() throws Exception {
        receiver.close();
    }

    private HttpResponse<String> guess(int i) throws Exception {
        return receiver.send("GET", "/status/none", null, "Authorization", "Bearer guess-" + i);
    }

    @Test
    void pastItsBurstAnAddressGets429UntilItsNextTryIsDueWhateverItsToken() throws Exception {
        for (int i = 0; i < WrongTokenLimit.BURST; i++) {
            error(guess(i), 401, "unauthorized");
        }
        HttpResponse<String> slowed = guess(WrongTokenLimit.BURST);
        JsonNode body = error(slowed, 429, "too_many_wrong_tokens");
        assertThat(body.get("message").asText()).contains("127.0.0.1", "wrong", "check the token");
        long retryAfter = Long.parseLong(slowed.headers().firstValue("Retry-After").orElseThrow());
        assertThat(retryAfter).isBetween(1L, WrongTokenLimit.EVERY.toSeconds());

        error(receiver.send("GET", "/audit", null, GOOD), 429, "too_many_wrong_tokens");
        assertThat(receiver.get("/health").statusCode()).isEqualTo(200);

        Thread.sleep(retryAfter * 1000 + 100);
        assertThat(ok(receiver.send("GET", "/audit", null, GOOD), 200).isArray()).isTrue();
        error(guess(-1), 401, "unauthorized");
        error(guess(-2), 429, "too_many_wrong_tokens");
    }
}
