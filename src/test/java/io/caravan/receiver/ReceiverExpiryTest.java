package io.caravan.receiver;

import static io.caravan.receiver.ReceiverCalls.error;
import static io.caravan.receiver.ReceiverCalls.finish;
import static io.caravan.receiver.ReceiverCalls.ok;
import static io.caravan.receiver.ReceiverCalls.put;
import static io.caravan.receiver.ReceiverCalls.putAll;
import static io.caravan.receiver.ReceiverCalls.range;
import static io.caravan.receiver.ReceiverCalls.sessionDir;
import static io.caravan.receiver.ReceiverCalls.startArchive;
import static io.caravan.receiver.ReceiverCalls.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.receiver.ReceiverCalls.Parcel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Sessions expire session-ttl after start: they answer 410, and the Quartz cleanup removes their chunks and staging. */
class ReceiverExpiryTest {

    @TempDir
    static Path tmp;
    @RegisterExtension
    static final RunningReceiver RUNNING = RunningReceiver.at(() -> tmp.resolve("inbox"))
            .properties(Map.of(
                "caravan.receiver.session-ttl", "2s",
                "caravan.receiver.cleanup-cron", "0/1 * * * * ?"));
    static ReceiverFixture receiver;
    static Parcel parcel;

    @BeforeAll
    static void startReceiver(ReceiverFixture started) throws Exception {
        receiver = started;
        parcel = ReceiverCalls.smallParcel(tmp, "expiry", 150_000, 4);
    }

    @Test
    void expiredSessionAnswers410AndCleanupRemovesItsFolders() throws Exception {
        JsonNode start = ok(receiver.post("/start", ReceiverCalls.startBody("late", Map.of())), 201);
        String sid = start.get("session_id").asText();
        Instant expiresAt = Instant.parse(start.get("expires_at").asText());
        assertThat(expiresAt).isBetween(Instant.now().minusSeconds(1), Instant.now().plusSeconds(3));
        putAll(receiver, sid, parcel, range(0, 2));
        Path dir = sessionDir(receiver, sid);
        Path staging = receiver.inbox().resolve(".caravan/staging").resolve(sid);
        assertThat(dir.resolve("chunks")).isDirectoryContaining(p -> p.getFileName().toString().endsWith(".chunk"));
        await().atMost(Duration.ofSeconds(5)).until(() -> Files.isDirectory(staging));

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> status(receiver, sid).statusCode() == 410);
        JsonNode gone = error(status(receiver, sid), 410, "session_expired");
        assertThat(gone.get("message").asText()).contains(sid);
        error(put(receiver, sid, 2, parcel.part(2)), 410, "session_expired");
        error(finish(receiver, sid, parcel), 410, "session_expired");

        await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(dir) && !Files.exists(staging));
        // after the cleanup the session still answers 410, not 404, and nothing was published
        error(status(receiver, sid), 410, "session_expired");
        error(put(receiver, sid, 0, parcel.part(0)), 410, "session_expired");
        error(receiver.send("DELETE", "/sessions/" + sid, null), 410, "session_expired");
        assertThat(receiver.inbox().resolve("late")).doesNotExist();
        assertThat(dir).doesNotExist();
    }

    @Test
    void aSessionFinishedInTimeIsNotTouchedByTheCleanup() throws Exception {
        String sid = startArchive(receiver, "in-time");
        putAll(receiver, sid, parcel, range(0, parcel.count()));
        ReceiverCalls.assertPublished(receiver, finish(receiver, sid, parcel), parcel, "in-time");
        // two cleanup runs later the published parcel is still there
        String other = startArchive(receiver, "probe");
        await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(sessionDir(receiver, other)));
        ReceiverCalls.assertSameTree(parcel.source(), receiver.inbox().resolve("in-time"));
    }
}
