package io.caravan.receiver;

import static io.caravan.receiver.ReceiverCalls.error;
import static io.caravan.receiver.ReceiverCalls.ints;
import static io.caravan.receiver.ReceiverCalls.ok;
import static io.caravan.receiver.ReceiverCalls.put;
import static io.caravan.receiver.ReceiverCalls.sessionDir;
import static io.caravan.receiver.ReceiverCalls.status;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Receiver-wide limits: open sessions (429 above caravan.receiver.max-sessions) and bytes per session (413 above max-session-bytes). */
class ReceiverLimitsTest {

    private static final int KIB = 1024;

    @TempDir
    static Path tmp;
    static ReceiverFixture receiver;
    final List<String> started = new ArrayList<>();

    @BeforeAll
    static void startReceiver() throws Exception {
        receiver = new ReceiverFixture(tmp.resolve("inbox"), Map.of(
                "caravan.receiver.max-sessions", "3",
                "caravan.receiver.max-chunk-size", "64KiB",
                "caravan.receiver.max-session-bytes", "200KiB"));
    }

    @AfterAll
    static void stopReceiver() throws Exception {
        receiver.close();
    }

    @AfterEach
    void deleteSessions() throws Exception {
        for (String sid : started) {
            receiver.send("DELETE", "/sessions/" + sid, null);
        }
    }

    private String start() throws Exception {
        String sid = ok(receiver.send("POST", "/start", null), 201).get("session_id").asText();
        started.add(sid);
        return sid;
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    @Test
    void moreOpenSessionsThanTheLimitAre429UntilOneEnds() throws Exception {
        String first = start();
        start();
        start();
        long dirs;
        try (var list = Files.list(receiver.inbox().resolve(".caravan/sessions"))) {
            dirs = list.count();
        }
        error(receiver.send("POST", "/start", null), 429, "too_many_sessions");
        try (var list = Files.list(receiver.inbox().resolve(".caravan/sessions"))) {
            assertThat(list.count()).isEqualTo(dirs);
        }
        assertThat(receiver.send("DELETE", "/sessions/" + first, null).statusCode()).isEqualTo(204);
        start();
    }

    @Test
    void chunksBeyondTheSessionByteLimitAre413AndStoreNothing() throws Exception {
        String sid = start();
        ok(put(receiver, sid, 0, random(64 * KIB, 1)), 201);
        ok(put(receiver, sid, 1, random(64 * KIB, 2)), 201);
        ok(put(receiver, sid, 2, random(64 * KIB, 3)), 201);
        ok(put(receiver, sid, 3, random(8 * KIB, 4)), 201); // exactly 200 KiB now
        JsonNode refused = error(put(receiver, sid, 4, random(1, 5)), 413, "session_too_large");
        assertThat(refused.get("message").asText()).contains(sid);
        JsonNode status = ok(status(receiver, sid), 200);
        assertThat(ints(status.get("received"))).containsExactly(0, 1, 2, 3);
        assertThat(status.get("bytes").asLong()).isEqualTo(200L * KIB);
        try (var files = Files.list(sessionDir(receiver, sid).resolve("chunks"))) {
            assertThat(files.count()).isEqualTo(4);
        }
        // replacing a chunk counts only the difference: same size fits, one byte more does not
        JsonNode replaced = ok(put(receiver, sid, 3, random(8 * KIB, 6)), 201);
        assertThat(replaced.get("stored").asText()).isEqualTo("replaced");
        error(put(receiver, sid, 3, random(8 * KIB + 1, 7)), 413, "session_too_large");
        assertThat(ok(status(receiver, sid), 200).get("bytes").asLong()).isEqualTo(200L * KIB);
    }
}
