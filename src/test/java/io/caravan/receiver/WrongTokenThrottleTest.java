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
        // the connection that sent the right token is served (401 for a wrong one); a new one is slowed again
        error(guess(-1), 401, "unauthorized");
        try (java.net.Socket fresh = RawSockets.open(receiver.port())) {
            RawSockets.write(fresh, "GET /audit HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer guess-2\r\n\r\n");
            assertThat(RawAnswer.read(fresh.getInputStream()).statusLine()).startsWith("HTTP/1.1 429");
        }
    }

    /**
     * A connection that has sent the right token keeps being served while its address is slowed by others on
     * it (a neighbour behind the same NAT or proxy guessing): only requests on connections that never proved
     * the token are refused before their token is compared.
     */
    @Test
    void aConnectionThatSentTheRightTokenIsServedWhileItsAddressIsSlowed() throws Exception {
        try (java.net.Socket proven = RawSockets.open(receiver.port())) {
            String audit = "GET /audit?limit=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer secret\r\n\r\n";
            RawSockets.write(proven, audit);
            assertThat(RawAnswer.read(proven.getInputStream()).statusLine()).startsWith("HTTP/1.1 200");
            for (int i = 0; i <= WrongTokenLimit.BURST; i++) {
                guess(i);
            }
            error(receiver.send("GET", "/audit", null, GOOD), 429, "too_many_wrong_tokens");

            RawSockets.write(proven, audit);
            assertThat(RawAnswer.read(proven.getInputStream()).statusLine()).startsWith("HTTP/1.1 200");
            RawSockets.write(proven, audit.replace("Bearer secret", "Bearer guess"));
            assertThat(RawAnswer.read(proven.getInputStream()).statusLine()).startsWith("HTTP/1.1 401");
        }
    }
}
