package io.caravan.sender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.caravan.receiver.ReceiverFixture;
import io.caravan.receiver.RunningReceiver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a real receiver answers reaches the user: its own message for a refusal, which is final
 * (a 401 on a streamed chunk upload too, where the JDK's client would hide it), and a clear reason
 * for a 503 without a body (a receiver that is stopping or starting), which is retried later.
 */
class ReceiverAnswersReachTheUserTest {

    @TempDir
    static Path tmp;
    @RegisterExtension
    static final RunningReceiver RUNNING = RunningReceiver.at(() -> tmp.resolve("inbox")).token("secret");
    static ReceiverFixture receiver;

    @BeforeAll
    static void startReceiver(ReceiverFixture started) throws Exception {
        receiver = started;
    }

    private static ReceiverClient client(String token) {
        return new ReceiverClient("http://127.0.0.1:" + receiver.port(), token, Duration.ofMinutes(1));
    }

    private static String session() {
        return client("secret").start(Map.of("name", "x", "codec", "none", "chunk_size", 1 << 20)).path("session_id").asText();
    }

    @Test
    void aChunkRefusedForItsTokenIsFinalAndSaysWhy() {
        String sid = session();
        ShipException refused = catchThrowableOfType(ShipException.class,
                () -> client("guess").put(sid, 0, new byte[300_000], null));
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.retryable()).isFalse();
        assertThat(refused.getMessage()).contains("missing or wrong bearer token");
    }

    @Test
    void aStartRefusedForItsTokenSaysWhy() {
        ShipException refused = catchThrowableOfType(ShipException.class,
                () -> client(null).start(Map.of("name", "x", "codec", "none", "chunk_size", 1 << 20)));
        assertThat(refused.status()).isEqualTo(401);
        // the receiver's own words, and what a user of the sender does about them
        assertThat(refused.getMessage()).contains("missing or wrong bearer token").contains("--token");
    }

    @Test
    void aReceiverNotTakingUploadsIsRetriedLaterAndSaysSo() throws Exception {
        String sid = session();
        receiver.context().getRouteController().suspendRoute("upload-receive");
        try {
            ShipException busy = catchThrowableOfType(ShipException.class,
                    () -> client("secret").put(sid, 0, new byte[300_000], null));
            assertThat(busy.status()).isEqualTo(503);
            assertThat(busy.retryable()).isTrue();
            assertThat(busy.getMessage()).contains("503").contains("not taking requests");
        } finally {
            receiver.context().getRouteController().resumeRoute("upload-receive");
        }
    }
}
