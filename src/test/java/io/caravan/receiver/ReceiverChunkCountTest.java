package io.caravan.receiver;

import static io.caravan.receiver.ReceiverCalls.error;
import static io.caravan.receiver.ReceiverCalls.ints;
import static io.caravan.receiver.ReceiverCalls.ok;
import static io.caravan.receiver.ReceiverCalls.put;
import static io.caravan.receiver.ReceiverCalls.sessionDir;
import static io.caravan.receiver.ReceiverCalls.status;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A session holds a bounded number of chunks: at most {@code caravan.receiver.max-chunks-per-session},
 * and no more than a session of {@code max-session-bytes} needs at the chunk size it declared (413
 * {@code too_many_chunks}); an empty chunk is refused (400 {@code empty_chunk}) unless it is the
 * session's only chunk, index 0 (an empty file). A refused chunk stores nothing.
 */
class ReceiverChunkCountTest {

    private static final int KIB = 1024;

    @TempDir
    static Path tmp;
    @RegisterExtension
    static final RunningReceiver RUNNING = RunningReceiver.at(() -> tmp.resolve("inbox"))
            .property("caravan.receiver.max-chunk-size", "64KiB")
            .property("caravan.receiver.max-session-bytes", "200KiB")
            .property("caravan.receiver.max-chunks-per-session", "8");

    private static String start(ReceiverFixture receiver, String body) throws Exception {
        return ok(receiver.send("POST", "/start", body == null ? null : body.getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/json"), 201).get("session_id").asText();
    }

    private static long chunkFiles(ReceiverFixture receiver, String sid) throws Exception {
        Path chunks = sessionDir(receiver, sid).resolve("chunks");
        if (!Files.isDirectory(chunks)) {
            return 0;
        }
        try (var files = Files.list(chunks)) {
            return files.count();
        }
    }

    @Test
    void anEmptyChunkAtAnyIndexButZeroIsRefusedAndStoresNothing(ReceiverFixture receiver) throws Exception {
        String sid = start(receiver, null);
        for (int index : List.of(1, 5, 99_999_999)) {
            JsonNode refused = error(put(receiver, sid, index, new byte[0]), 400, "empty_chunk");
            assertThat(refused.get("message").asText()).contains("chunk " + index).contains(sid);
        }
        assertThat(ints(ok(status(receiver, sid), 200).get("received"))).isEmpty();
        assertThat(chunkFiles(receiver, sid)).isZero();
    }

    @Test
    void anEmptyFileIsOneEmptyChunkZeroAndNothingBeside(ReceiverFixture receiver) throws Exception {
        String sid = start(receiver, null);
        ok(put(receiver, sid, 0, new byte[0]), 201);
        error(put(receiver, sid, 1, new byte[0]), 400, "empty_chunk");
        assertThat(ints(ok(status(receiver, sid), 200).get("received"))).containsExactly(0);

        String other = start(receiver, null);
        ok(put(receiver, other, 1, new byte[] {1}), 201);
        JsonNode refused = error(put(receiver, other, 0, new byte[0]), 400, "empty_chunk");
        assertThat(refused.get("message").asText()).contains("chunk 0");
        assertThat(ints(ok(status(receiver, other), 200).get("received"))).containsExactly(1);
    }

    @Test
    void moreChunksThanTheLimitAre413AndStoreNothing(ReceiverFixture receiver) throws Exception {
        String sid = start(receiver, null);
        for (int i = 0; i < 8; i++) {
            ok(put(receiver, sid, i * 1000, new byte[] {(byte) i}), 201);
        }
        JsonNode refused = error(put(receiver, sid, 8000, new byte[] {8}), 413, "too_many_chunks");
        assertThat(refused.get("message").asText()).contains("chunk 8000").contains(sid)
                .contains("caravan.receiver.max-chunks-per-session");
        assertThat(chunkFiles(receiver, sid)).isEqualTo(8);
        assertThat(ints(ok(status(receiver, sid), 200).get("received"))).hasSize(8);
        // a chunk it holds may still be sent again
        assertThat(ok(put(receiver, sid, 7000, new byte[] {9}), 201).get("stored").asText()).isEqualTo("replaced");
    }

    @Test
    void newChunksUploadedAtOnceNeverPassTheLimit(ReceiverFixture receiver) throws Exception {
        for (int round = 0; round < 6; round++) {
            boolean positioned = round % 2 == 1; // chunks at their place in one data file, or each in a file of its own
            String sid = start(receiver, positioned ? "{\"chunk_size\": 1024}" : null);
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(24);
            try {
                List<java.util.concurrent.Future<Integer>> answers = new java.util.ArrayList<>();
                for (int i = 0; i < 24; i++) {
                    int index = i;
                    answers.add(pool.submit(() -> put(receiver, sid, index, new byte[] {(byte) index}).statusCode()));
                }
                int stored = 0;
                for (java.util.concurrent.Future<Integer> answer : answers) {
                    int status = answer.get();
                    assertThat(status).isIn(201, 413);
                    stored += status == 201 ? 1 : 0;
                }
                assertThat(stored).isEqualTo(8);
                assertThat(ints(ok(status(receiver, sid), 200).get("received"))).hasSize(8);
                if (!positioned) {
                    assertThat(chunkFiles(receiver, sid)).isEqualTo(8);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void aDeclaredChunkSizeBoundsTheChunksToWhatTheSessionBytesNeed(ReceiverFixture receiver) throws Exception {
        // 200 KiB in chunks of 64 KiB: 4 chunks, one more for slack
        String sid = start(receiver, "{\"chunk_size\": " + 64 * KIB + "}");
        for (int i = 0; i < 5; i++) {
            ok(put(receiver, sid, i, new byte[] {(byte) i}), 201);
        }
        JsonNode refused = error(put(receiver, sid, 5, new byte[] {5}), 413, "too_many_chunks");
        assertThat(refused.get("message").asText()).contains("chunk 5").contains("chunk_size");
        assertThat(ints(ok(status(receiver, sid), 200).get("received"))).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void theSessionByteTotalFollowsReplacedChunks(ReceiverFixture receiver) throws Exception {
        String sid = start(receiver, null);
        ok(put(receiver, sid, 0, new byte[64 * KIB]), 201);
        ok(put(receiver, sid, 0, new byte[KIB]), 201);
        ok(put(receiver, sid, 1, new byte[64 * KIB]), 201);
        ok(put(receiver, sid, 2, new byte[64 * KIB]), 201);
        ok(put(receiver, sid, 3, new byte[64 * KIB + 0]), 201); // 193 KiB
        error(put(receiver, sid, 4, new byte[8 * KIB]), 413, "session_too_large");
        assertThat(ok(status(receiver, sid), 200).get("bytes").asLong()).isEqualTo(193L * KIB);
        ok(put(receiver, sid, 4, new byte[7 * KIB]), 201);
        assertThat(ok(status(receiver, sid), 200).get("bytes").asLong()).isEqualTo(200L * KIB);
    }
}
