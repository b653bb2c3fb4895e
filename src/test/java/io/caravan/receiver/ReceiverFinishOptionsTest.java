package io.caravan.receiver;

import static io.caravan.receiver.ReceiverCalls.assertPublished;
import static io.caravan.receiver.ReceiverCalls.assertSameTree;
import static io.caravan.receiver.ReceiverCalls.error;
import static io.caravan.receiver.ReceiverCalls.finishWith;
import static io.caravan.receiver.ReceiverCalls.inboxEntries;
import static io.caravan.receiver.ReceiverCalls.put;
import static io.caravan.receiver.ReceiverCalls.putAll;
import static io.caravan.receiver.ReceiverCalls.range;
import static io.caravan.receiver.ReceiverCalls.startArchive;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.receiver.ReceiverCalls.Parcel;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /finish/{sid}?on_conflict=&force=}: a finish refused because the name is taken can be sent
 * again with other publish options, without sending the session's chunks again. The options are checked
 * as {@code /start} checks them and are kept with the session, so a restart and a repeated finish see them;
 * a session that published answers every later finish with that publish, whatever its options.
 */
class ReceiverFinishOptionsTest {

    @TempDir
    Path tmp;
    @RegisterExtension
    final RunningReceiver running = RunningReceiver.at(() -> tmp.resolve("inbox"));

    private static String refusedSession(ReceiverFixture receiver, Parcel first, Parcel second, String name) throws Exception {
        String sid = startArchive(receiver, name, Map.of());
        putAll(receiver, sid, first, range(0, first.count()));
        assertPublished(receiver, finishWith(receiver, sid, first, ""), first, name);
        String refused = startArchive(receiver, name, Map.of("on_conflict", "fail"));
        putAll(receiver, refused, second, range(0, second.count()));
        error(finishWith(receiver, refused, second, ""), 409, "publish_conflict");
        return refused;
    }

    @Test
    void aRefusedFinishSentAgainWithOtherOptionsPublishesByThem(ReceiverFixture receiver) throws Exception {
        Parcel first = ReceiverCalls.smallParcel(tmp, "first", 100_000, 1);
        Parcel second = ReceiverCalls.smallParcel(tmp, "second", 130_000, 2);
        String sid = refusedSession(receiver, first, second, "taken");

        assertPublished(receiver, finishWith(receiver, sid, second, "?on_conflict=rename"), second, "taken (1)");
        assertSameTree(first.source(), receiver.inbox().resolve("taken"));
    }

    @Test
    void anOptionAFinishDoesNotGiveKeepsTheSessions(ReceiverFixture receiver) throws Exception {
        Parcel first = ReceiverCalls.smallParcel(tmp, "first", 100_000, 1);
        Parcel second = ReceiverCalls.smallParcel(tmp, "second", 130_000, 2);
        String sid = refusedSession(receiver, first, second, "kept-policy");

        // force alone says nothing of on_conflict: the session's "fail" still holds
        error(finishWith(receiver, sid, second, "?force=true"), 409, "publish_conflict");
        assertSameTree(first.source(), receiver.inbox().resolve("kept-policy"));
    }

    @Test
    void finishOptionsAreCheckedAsTheStartChecksThem(ReceiverFixture receiver) throws Exception {
        Parcel first = ReceiverCalls.smallParcel(tmp, "first", 100_000, 1);
        Parcel second = ReceiverCalls.smallParcel(tmp, "second", 130_000, 2);
        String sid = refusedSession(receiver, first, second, "checked");

        JsonNode policy = error(finishWith(receiver, sid, second, "?on_conflict=overwrite"), 400, "bad_request");
        JsonNode atStart = error(receiver.post("/start", "{\"name\":\"x\",\"codec\":\"zstd\",\"on_conflict\":\"overwrite\"}"),
                400, "bad_request");
        assertThat(policy.get("message").asText()).isEqualTo(atStart.get("message").asText());
        JsonNode flag = error(finishWith(receiver, sid, second, "?force=yes"), 400, "bad_request");
        assertThat(flag.get("message").asText()).contains("force must be true or false");

        error(finishWith(receiver, sid, second, ""), 409, "publish_conflict"); // refused options changed nothing
        assertPublished(receiver, finishWith(receiver, sid, second, "?on_conflict=replace"), second, "checked");
    }

    @Test
    void optionsGivenWithAFinishAreKeptAcrossARestart(ReceiverFixture receiver) throws Exception {
        Parcel first = ReceiverCalls.smallParcel(tmp, "first", 100_000, 1);
        Parcel second = ReceiverCalls.smallParcel(tmp, "second", 130_000, 2);
        String sid = startArchive(receiver, "kept", Map.of());
        putAll(receiver, sid, first, range(0, first.count()));
        assertPublished(receiver, finishWith(receiver, sid, first, ""), first, "kept");
        String later = startArchive(receiver, "kept", Map.of("on_conflict", "fail"));
        putAll(receiver, later, second, range(1, second.count()));

        error(finishWith(receiver, later, second, "?on_conflict=rename"), 409, null); // chunk 0 is missing
        receiver.restart();
        assertThat(put(receiver, later, 0, second.parts().get(0)).statusCode()).isEqualTo(201);

        assertPublished(receiver, finishWith(receiver, later, second, ""), second, "kept (1)");
    }

    @Test
    void aPublishedSessionAnswersAFinishWithOtherOptionsWithItsPublish(ReceiverFixture receiver) throws Exception {
        Parcel first = ReceiverCalls.smallParcel(tmp, "first", 100_000, 1);
        Parcel second = ReceiverCalls.smallParcel(tmp, "second", 130_000, 2);
        String sid = refusedSession(receiver, first, second, "once");
        JsonNode published = assertPublished(receiver, finishWith(receiver, sid, second, "?on_conflict=rename"), second, "once (1)");

        JsonNode again = ReceiverCalls.ok(finishWith(receiver, sid, second, "?on_conflict=rename&force=true"), 200);
        JsonNode replaced = ReceiverCalls.ok(finishWith(receiver, sid, second, "?on_conflict=replace"), 200);

        assertThat(again).isEqualTo(published);
        assertThat(replaced).isEqualTo(published);
        assertThat(inboxEntries(receiver)).filteredOn(n -> n.startsWith("once")).containsExactly("once", "once (1)");
        assertSameTree(first.source(), receiver.inbox().resolve("once"));
    }
}
