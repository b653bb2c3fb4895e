package io.caravan.receiver;

import static io.caravan.receiver.ReceiverCalls.error;
import static io.caravan.receiver.ReceiverCalls.ints;
import static io.caravan.receiver.ReceiverCalls.ok;
import static io.caravan.receiver.ReceiverCalls.put;
import static io.caravan.receiver.ReceiverCalls.status;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.session.SessionLimits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every chunk an open session holds is listed on the heap (about 230 bytes each). A session of one-byte chunks
 * grew to 637,000 of them, 637 KB of data, and its receiver ended with an OutOfMemoryError, again at every
 * restart. So the chunks all open sessions list together are bounded ({@code caravan.receiver.max-listed-chunks},
 * by default what half the heap holds): a new chunk past it is 503 {@code busy} and stores nothing, and is
 * taken once other sessions are finished or deleted; and a session's own bound defaults to what a quarter of the
 * heap holds, not only to what {@code max-session-bytes} needs in 1 MiB chunks.
 */
class ReceiverListedChunksTest {

    @TempDir
    static Path tmp;
    @RegisterExtension
    static final RunningReceiver RUNNING = RunningReceiver.at(() -> tmp.resolve("inbox"))
            .property("caravan.receiver.max-chunks-per-session", "8")
            .property("caravan.receiver.max-listed-chunks", "12");

    private static String start(ReceiverFixture receiver) throws Exception {
        return ok(receiver.send("POST", "/start", "{\"chunk_size\": 1}".getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/json"), 201).get("session_id").asText();
    }

    @Test
    void chunksPastWhatAllOpenSessionsMayListAre503AndTakenOnceRoomIsMade(ReceiverFixture receiver) throws Exception {
        String first = start(receiver);
        String second = start(receiver);
        for (int i = 0; i < 8; i++) {
            ok(put(receiver, first, i, new byte[] {(byte) i}), 201);
        }
        for (int i = 0; i < 4; i++) {
            ok(put(receiver, second, i, new byte[] {(byte) i}), 201);
        }

        JsonNode refused = error(put(receiver, second, 4, new byte[] {4}), 503, "busy");
        assertThat(refused.get("message").asText()).contains("chunk 4").contains(second)
                .contains("caravan.receiver.max-listed-chunks");
        assertThat(ints(ok(status(receiver, second), 200).get("received"))).containsExactly(0, 1, 2, 3);
        assertThat(ok(put(receiver, second, 3, new byte[] {9}), 201).get("stored").asText())
                .as("a chunk it holds may be sent again").isEqualTo("replaced");

        assertThat(receiver.send("DELETE", "/sessions/" + first, null).statusCode()).isEqualTo(204);
        ok(put(receiver, second, 4, new byte[] {4}), 201);
        assertThat(ints(ok(status(receiver, second), 200).get("received"))).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void theDefaultBoundsFollowTheHeap() {
        long heap = 160L << 20; // the launcher's -Xmx160m
        assertThat(SessionLimits.defaultMaxChunks(1L << 40, heap)).isEqualTo(heap / 4 / SessionLimits.HEAP_PER_LISTED_CHUNK);
        assertThat(SessionLimits.defaultMaxListedChunks(heap)).isEqualTo(heap / 2 / SessionLimits.HEAP_PER_LISTED_CHUNK);
        assertThat(SessionLimits.defaultMaxChunks(10L << 30, heap)).as("what 10 GiB in 1 MiB chunks needs").isEqualTo(10241);
        assertThat(SessionLimits.defaultMaxChunks(1L << 20, heap)).as("never below").isEqualTo(SessionLimits.FEWEST_MAX_CHUNKS);
    }
}
