package io.caravan.receiver;

import static io.caravan.receiver.ReceiverCalls.assertPublished;
import static io.caravan.receiver.ReceiverCalls.chunks;
import static io.caravan.receiver.ReceiverCalls.finish;
import static io.caravan.receiver.ReceiverCalls.ints;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Sessions survive a receiver restart: status is exact afterwards, the rest can be uploaded and finish publishes identical data. */
class ReceiverRestartTest {

    @TempDir
    static Path tmp;
    @RegisterExtension
    static final RunningReceiver RUNNING = RunningReceiver.at(() -> tmp.resolve("inbox"));
    static ReceiverFixture receiver;
    static Parcel parcel;

    @BeforeAll
    static void startReceiver(ReceiverFixture started) throws Exception {
        receiver = started;
        parcel = ReceiverCalls.fidelityParcel(tmp, "restart");
        assertThat(parcel.count()).isGreaterThanOrEqualTo(5);
    }

    private static List<Thread> assemblerThreads() {
        List<Thread> threads = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && t.getName().startsWith("caravan-assemble-")) {
                threads.add(t);
            }
        }
        return threads;
    }

    @Test
    void archiveSessionResumesAfterARestartWithExactStatus() throws Exception {
        String sid = startArchive(receiver, "resumed");
        int n = parcel.count();
        List<Integer> firstHalf = new ArrayList<>(range(0, n / 2));
        firstHalf.add(n - 1); // and one out of order
        putAll(receiver, sid, parcel, firstHalf);
        JsonNode before = ok(status(receiver, sid), 200);

        receiver.restart();

        JsonNode after = ok(status(receiver, sid), 200);
        assertThat(after).isEqualTo(before);
        assertThat(ints(after.get("received"))).containsExactlyElementsOf(firstHalf.stream().sorted().toList());
        for (int i : firstHalf) {
            assertThat(chunks(after)).containsEntry(i, parcel.sha(i));
        }
        // what was stored before is recognised as such
        assertThat(ok(put(receiver, sid, 0, parcel.part(0)), 200).get("stored").asText()).isEqualTo("identical");

        putAll(receiver, sid, parcel, range(n / 2, n - 1));
        assertPublished(receiver, finish(receiver, sid, parcel), parcel, "resumed");
    }

    @Test
    void rawSessionResumesAfterARestart() throws Exception {
        String sid = ok(receiver.post("/start", "{\"name\":\"raw-resumed.bin\"}"), 201).get("session_id").asText();
        byte[] data = new byte[3 * 1000 + 17];
        new Random(5).nextBytes(data);
        ok(put(receiver, sid, 0, java.util.Arrays.copyOfRange(data, 0, 1000)), 201);
        ok(put(receiver, sid, 2, java.util.Arrays.copyOfRange(data, 2000, 3000)), 201);
        JsonNode before = ok(status(receiver, sid), 200);
        receiver.restart();
        assertThat(ok(status(receiver, sid), 200)).isEqualTo(before);
        ok(put(receiver, sid, 1, java.util.Arrays.copyOfRange(data, 1000, 2000)), 201);
        ok(put(receiver, sid, 3, java.util.Arrays.copyOfRange(data, 3000, data.length)), 201);
        JsonNode answer = ok(receiver.send("POST", "/finish/" + sid, null), 200);
        assertThat(answer.get("bytes").asLong()).isEqualTo(data.length);
        assertThat(receiver.inbox().resolve("raw-resumed.bin")).hasBinaryContent(data);
    }

    @Test
    void aHalfWrittenChunkLeftBehindIsIgnoredAfterARestart() throws Exception {
        String sid = startArchive(receiver, "half-written");
        putAll(receiver, sid, parcel, range(0, 2));
        JsonNode before = ok(status(receiver, sid), 200);
        // what a crash in the middle of a chunk write leaves: a temp file that never got its final name
        Path chunkDir = sessionDir(receiver, sid).resolve("chunks");
        Files.write(chunkDir.resolve(".tmp-0123456789ab"), new byte[] {1, 2, 3});
        receiver.restart();
        assertThat(ok(status(receiver, sid), 200)).isEqualTo(before);
        try (var files = Files.list(chunkDir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(name -> name.startsWith(".tmp-"));
        }
        putAll(receiver, sid, parcel, range(2, parcel.count()));
        assertPublished(receiver, finish(receiver, sid, parcel), parcel, "half-written");
    }

    @Test
    void finishedAnswerSurvivesARestart() throws Exception {
        String sid = startArchive(receiver, "done-before");
        putAll(receiver, sid, parcel, range(0, parcel.count()));
        JsonNode first = assertPublished(receiver, finish(receiver, sid, parcel), parcel, "done-before");
        receiver.restart();
        assertThat(ok(finish(receiver, sid, parcel), 200)).isEqualTo(first);
        JsonNode status = ok(status(receiver, sid), 200);
        assertThat(status.get("finished").asBoolean()).isTrue();
        assertThat(status.get("path").asText()).isEqualTo("done-before");
    }

    @Test
    void restartLeavesOneExtractionPerOpenArchiveSession() throws Exception {
        String sid = startArchive(receiver, "threads");
        putAll(receiver, sid, parcel, range(0, 2));
        receiver.restart();
        String prefix = "caravan-assemble-" + sid.substring(0, 8);
        // extraction runs on a pool: the resumed run takes a thread (named for its session) shortly after the restart
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(assemblerThreads()).filteredOn(t -> t.getName().equals(prefix)).hasSize(1));
        putAll(receiver, sid, parcel, range(2, parcel.count()));
        assertPublished(receiver, finish(receiver, sid, parcel), parcel, "threads");
    }
}
