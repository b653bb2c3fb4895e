package io.caravan.receiver;

import static io.caravan.receiver.ReceiverCalls.assertPublished;
import static io.caravan.receiver.ReceiverCalls.error;
import static io.caravan.receiver.ReceiverCalls.finish;
import static io.caravan.receiver.ReceiverCalls.ok;
import static io.caravan.receiver.ReceiverCalls.putAll;
import static io.caravan.receiver.ReceiverCalls.range;
import static io.caravan.receiver.ReceiverCalls.startArchive;
import static io.caravan.receiver.ReceiverCalls.status;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two finishes of one session on one receiver (the disk store): the one that looks the session up after the
 * other published it answers that publish, and so does a status; one that finds it deleted answers 404.
 */
class ConcurrentFinishTest {

    @TempDir
    Path tmp;

    private ReceiverFixture receiver;
    private ExecutorService sender;

    @BeforeEach
    void start() throws Exception {
        receiver = new ReceiverFixture(tmp.resolve("inbox"));
        sender = Executors.newSingleThreadExecutor();
    }

    @AfterEach
    void stop() throws Exception {
        sender.shutdownNow();
        receiver.close();
    }

    @Test
    void aFinishThatLooksTheSessionUpAfterAnotherPublishedItAnswersThatPublish() throws Exception {
        ReceiverCalls.Parcel parcel = ReceiverCalls.smallParcel(tmp, "twice", 200_000, 3);
        String sid = uploaded("twice", parcel);
        try (HeldLookup late = HeldLookup.of(receiver, sid, sender, () -> finish(receiver, sid, parcel))) {
            JsonNode first = assertPublished(receiver, finish(receiver, sid, parcel), parcel, "twice");
            assertThat(ok(late.answer(), 200)).as("the late finish answers the publish").isEqualTo(first);
        }
    }

    @Test
    void aFinishThatLooksTheSessionUpAfterItWasDeletedAnswers404() throws Exception {
        ReceiverCalls.Parcel parcel = ReceiverCalls.smallParcel(tmp, "deleted", 100_000, 4);
        String sid = uploaded("deleted", parcel);
        try (HeldLookup late = HeldLookup.of(receiver, sid, sender, () -> finish(receiver, sid, parcel))) {
            assertThat(receiver.send("DELETE", "/sessions/" + sid, null).statusCode()).isEqualTo(204);
            error(late.answer(), 404, "session_not_found");
        }
        error(receiver.post("/finish/0123456789abcdef0123456789abcdef", "{}"), 404, "session_not_found");
    }

    @Test
    void aStatusThatLooksTheSessionUpAfterAFinishPublishedItAnswersThatPublish() throws Exception {
        ReceiverCalls.Parcel parcel = ReceiverCalls.smallParcel(tmp, "asked", 100_000, 5);
        String sid = uploaded("asked", parcel);
        try (HeldLookup asked = HeldLookup.of(receiver, sid, sender, () -> status(receiver, sid))) {
            JsonNode published = assertPublished(receiver, finish(receiver, sid, parcel), parcel, "asked");
            JsonNode status = ok(asked.answer(), 200);
            assertThat(status.get("finished").asBoolean()).as("the status tells the session was published").isTrue();
            assertThat(status.get("path")).isEqualTo(published.get("path"));
        }
    }

    @Test
    void aDeleteOfAPublishedSessionIsRefusedNamingWhatItPublished() throws Exception {
        ReceiverCalls.Parcel parcel = ReceiverCalls.smallParcel(tmp, "kept", 100_000, 6);
        String sid = uploaded("kept", parcel);
        assertPublished(receiver, finish(receiver, sid, parcel), parcel, "kept");

        JsonNode refused = error(receiver.send("DELETE", "/sessions/" + sid, null), 409, "published");

        assertThat(refused.get("message").asText()).contains(sid).contains("'kept'");
        assertThat(refused.get("path").asText()).isEqualTo("kept");
        assertThat(receiver.inbox().resolve("kept")).isDirectory();
    }

    @Test
    void aDeleteThatLooksTheSessionUpAfterAFinishPublishedItIsRefused() throws Exception {
        ReceiverCalls.Parcel parcel = ReceiverCalls.smallParcel(tmp, "raced", 100_000, 7);
        String sid = uploaded("raced", parcel);
        try (HeldLookup delete = HeldLookup.of(receiver, sid, sender, () -> receiver.send("DELETE", "/sessions/" + sid, null))) {
            assertPublished(receiver, finish(receiver, sid, parcel), parcel, "raced");
            error(delete.answer(), 409, "published");
        }
        assertThat(ok(status(receiver, sid), 200).get("finished").asBoolean()).isTrue();
    }

    /** A new archive session named {@code name} holding every chunk of {@code parcel}; its id. */
    private String uploaded(String name, ReceiverCalls.Parcel parcel) throws Exception {
        String sid = startArchive(receiver, name);
        putAll(receiver, sid, parcel, range(0, parcel.count()));
        return sid;
    }
}
