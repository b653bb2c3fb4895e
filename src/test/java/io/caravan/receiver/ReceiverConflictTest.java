package io.caravan.receiver;

import static io.caravan.receiver.ReceiverCalls.assertPublished;
import static io.caravan.receiver.ReceiverCalls.assertSameTree;
import static io.caravan.receiver.ReceiverCalls.error;
import static io.caravan.receiver.ReceiverCalls.finish;
import static io.caravan.receiver.ReceiverCalls.inboxEntries;
import static io.caravan.receiver.ReceiverCalls.ok;
import static io.caravan.receiver.ReceiverCalls.put;
import static io.caravan.receiver.ReceiverCalls.putAll;
import static io.caravan.receiver.ReceiverCalls.range;
import static io.caravan.receiver.ReceiverCalls.sessionDir;
import static io.caravan.receiver.ReceiverCalls.startArchive;
import static io.caravan.receiver.ReceiverCalls.status;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.TestTrees;
import io.caravan.receiver.ReceiverCalls.Parcel;
import io.caravan.util.TreeSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A finish whose name already exists in the inbox: on_conflict replace (default), rename ("name (1)") or fail (409, nothing changed). */
class ReceiverConflictTest {

    @TempDir
    static Path tmp;
    @RegisterExtension
    static final RunningReceiver RUNNING = RunningReceiver.at(() -> tmp.resolve("inbox"));
    static ReceiverFixture receiver;
    static Parcel first;
    static Parcel second;

    @BeforeAll
    static void startReceiver(ReceiverFixture started) throws Exception {
        receiver = started;
        first = ReceiverCalls.smallParcel(tmp, "first", 100_000, 1);
        second = ReceiverCalls.smallParcel(tmp, "second", 130_000, 2);
        assertThat(TreeSnapshot.of(first.source()).differences(TreeSnapshot.of(second.source()))).isNotEmpty();
    }

    private static HttpResult send(Parcel parcel, String name, Map<String, Object> options) throws Exception {
        String sid = startArchive(receiver, name, options);
        putAll(receiver, sid, parcel, range(0, parcel.count()));
        return new HttpResult(sid, finish(receiver, sid, parcel));
    }

    private record HttpResult(String sid, java.net.http.HttpResponse<String> response) {
    }

    @Test
    void replaceIsTheDefaultAndSwapsTheOldTreeOut() throws Exception {
        assertPublished(receiver, send(first, "swap", Map.of()).response(), first, "swap");
        assertPublished(receiver, send(second, "swap", Map.of()).response(), second, "swap");
        assertThat(inboxEntries(receiver)).filteredOn(n -> n.contains("swap")).containsExactly("swap");
        assertPublished(receiver, send(first, "swap", Map.of("on_conflict", "replace")).response(), first, "swap");
        assertThat(inboxEntries(receiver)).filteredOn(n -> n.contains("swap")).containsExactly("swap");
    }

    @Test
    void renamePublishesBesideTheExistingEntry() throws Exception {
        assertPublished(receiver, send(first, "keep", Map.of()).response(), first, "keep");
        assertPublished(receiver, send(second, "keep", Map.of("on_conflict", "rename")).response(), second, "keep (1)");
        assertPublished(receiver, send(second, "keep", Map.of("on_conflict", "RENAME")).response(), second, "keep (2)");
        assertSameTree(first.source(), receiver.inbox().resolve("keep"));
        assertThat(inboxEntries(receiver)).filteredOn(n -> n.startsWith("keep")).containsExactly("keep", "keep (1)", "keep (2)");
    }

    @Test
    void renameOfAFileKeepsItsExtension() throws Exception {
        for (int round = 0; round < 2; round++) {
            String sid = ok(receiver.post("/start", "{\"name\":\"report.txt\",\"on_conflict\":\"rename\"}"), 201)
                    .get("session_id").asText();
            ok(put(receiver, sid, 0, ("round " + round).getBytes()), 201);
            JsonNode answer = ok(receiver.send("POST", "/finish/" + sid, null), 200);
            assertThat(answer.get("path").asText()).isEqualTo(round == 0 ? "report.txt" : "report (1).txt");
        }
        assertThat(receiver.inbox().resolve("report.txt")).hasContent("round 0");
        assertThat(receiver.inbox().resolve("report (1).txt")).hasContent("round 1");
    }

    @Test
    void failIs409AndChangesNothing() throws Exception {
        assertPublished(receiver, send(first, "guarded", Map.of()).response(), first, "guarded");
        TreeSnapshot existing = TreeSnapshot.of(receiver.inbox().resolve("guarded"));
        List<String> before = inboxEntries(receiver);

        HttpResult refused = send(second, "guarded", Map.of("on_conflict", "fail"));
        JsonNode answer = error(refused.response(), 409, "publish_conflict");
        assertThat(answer.get("message").asText()).contains("guarded");
        assertThat(inboxEntries(receiver)).isEqualTo(before);
        assertThat(TreeSnapshot.of(receiver.inbox().resolve("guarded")).differences(existing)).isEmpty();

        // the session was not consumed: it can be retried (same answer) or deleted
        error(finish(receiver, refused.sid(), second), 409, "publish_conflict");
        ok(status(receiver, refused.sid()), 200);
        assertThat(receiver.send("DELETE", "/sessions/" + refused.sid(), null).statusCode()).isEqualTo(204);
        assertThat(sessionDir(receiver, refused.sid())).doesNotExist();
        assertThat(receiver.inbox().resolve(".caravan/staging").resolve(refused.sid())).doesNotExist();
        assertThat(TreeSnapshot.of(receiver.inbox().resolve("guarded")).differences(existing)).isEmpty();
    }

    @Test
    void aMergeRefusedDeepDownChangesNothing() throws Exception {
        TestTrees.typeChangeBelowAFile(tmp.resolve("src-merge"));
        Parcel older = ReceiverCalls.pack(tmp.resolve("src-merge/v1/top"), tmp.resolve("parts-merge-v1/p"));
        Parcel newer = ReceiverCalls.pack(tmp.resolve("src-merge/v2/top"), tmp.resolve("parts-merge-v2/p"));
        assertPublished(receiver, send(older, "merged", Map.of()).response(), older, "merged");
        TreeSnapshot existing = TreeSnapshot.of(receiver.inbox().resolve("merged"));

        JsonNode answer = error(send(newer, "merged", Map.of("on_conflict", "merge")).response(), 409, "publish_conflict");

        assertThat(answer.get("message").asText()).contains("'merged/z/m' is a folder").contains("nothing was published");
        assertThat(receiver.inbox().resolve("merged/a.txt")).as("a file sorted before the conflict").hasContent("OLD");
        assertThat(TreeSnapshot.of(receiver.inbox().resolve("merged")).differences(existing)).isEmpty();
    }

    @Test
    void failOnAFreeNamePublishes() throws Exception {
        assertPublished(receiver, send(first, "fresh", Map.of("on_conflict", "fail")).response(), first, "fresh");
        assertThat(Files.exists(receiver.inbox().resolve("fresh (1)"))).isFalse();
    }
}
