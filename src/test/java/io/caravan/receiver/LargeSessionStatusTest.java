package io.caravan.receiver;

import static io.caravan.receiver.ReceiverCalls.ints;
import static io.caravan.receiver.ReceiverCalls.ok;
import static io.caravan.receiver.ReceiverCalls.put;
import static io.caravan.receiver.ReceiverCalls.status;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.util.Sha256;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /status} lists every chunk of an open session twice (its index, then its index and SHA-256). A
 * session at its most chunks made an answer of tens of megabytes, held whole on the heap with the maps it was
 * made from, and a few of them at once ended the receiver with an OutOfMemoryError. An open session of more
 * than {@value Sessions#LISTED_STATUS_FROM} chunks is answered in the same shape, written while it is sent (on a
 * listing thread, through a bounded buffer) instead.
 */
class LargeSessionStatusTest {

    @TempDir
    static Path tmp;
    @RegisterExtension
    static final RunningReceiver RUNNING = RunningReceiver.at(() -> tmp.resolve("inbox"));

    @Test
    void theStatusOfASessionOfManyChunksIsWrittenWhileItIsSentInTheSameShape(ReceiverFixture receiver) throws Exception {
        String sid = ok(receiver.send("POST", "/start", "{\"chunk_size\": 1}".getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/json"), 201).get("session_id").asText();
        int chunks = Sessions.LISTED_STATUS_FROM + 50;
        for (int i = 0; i < chunks; i++) {
            ok(put(receiver, sid, i, new byte[] {(byte) i}), 201);
        }

        HttpResponse<String> answer = status(receiver, sid);
        JsonNode status = ok(answer, 200);

        assertThat(answer.headers().firstValue("Content-Length")).as("written while it is sent").isEmpty();
        assertThat(status.get("session_id").asText()).isEqualTo(sid);
        assertThat(status.get("kind").asText()).isEqualTo("raw");
        assertThat(status.get("finished").asBoolean()).isFalse();
        assertThat(ints(status.get("received"))).hasSize(chunks).startsWith(0, 1, 2).endsWith(chunks - 1);
        assertThat(status.get("chunks").size()).isEqualTo(chunks);
        assertThat(status.get("chunks").get("7").asText()).isEqualTo(Sha256.of(new byte[] {7}, 0, 1));
        assertThat(status.get("bytes").asLong()).isEqualTo(chunks);
        assertThat(status.get("expires_at").asText()).isNotEmpty();
    }
}
