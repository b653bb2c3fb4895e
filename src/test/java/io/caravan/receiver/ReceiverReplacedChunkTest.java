package io.caravan.receiver;

import static io.caravan.receiver.ReceiverCalls.assertPublished;
import static io.caravan.receiver.ReceiverCalls.chunks;
import static io.caravan.receiver.ReceiverCalls.error;
import static io.caravan.receiver.ReceiverCalls.finish;
import static io.caravan.receiver.ReceiverCalls.inboxEntries;
import static io.caravan.receiver.ReceiverCalls.ints;
import static io.caravan.receiver.ReceiverCalls.ok;
import static io.caravan.receiver.ReceiverCalls.put;
import static io.caravan.receiver.ReceiverCalls.putAll;
import static io.caravan.receiver.ReceiverCalls.range;
import static io.caravan.receiver.ReceiverCalls.startArchive;
import static io.caravan.receiver.ReceiverCalls.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.receiver.ReceiverCalls.Parcel;
import io.caravan.util.Sha256;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A chunk replaced after the streaming extraction consumed it restarts the extraction: replacing
 * it with a wrong body and then putting the right one back still finishes with an identical tree.
 */
class ReceiverReplacedChunkTest {

    @TempDir
    static Path tmp;
    @RegisterExtension
    static final RunningReceiver RUNNING = RunningReceiver.at(() -> tmp.resolve("inbox"));
    static ReceiverFixture receiver;
    static Parcel parcel;

    @BeforeAll
    static void startReceiver(ReceiverFixture started) throws Exception {
        receiver = started;
        parcel = ReceiverCalls.fidelityParcel(tmp, "repl");
        assertThat(parcel.count()).isGreaterThanOrEqualTo(5);
    }

    /** Uploads every part and waits until status lists them all and the extraction has written into staging. */
    private static String uploadAllAndWaitForExtraction(String name) throws Exception {
        String sid = startArchive(receiver, name);
        putAll(receiver, sid, parcel, range(0, parcel.count()));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(ints(ok(status(receiver, sid), 200).get("received"))).isEqualTo(range(0, parcel.count())));
        // the big random file lies in the last chunks: once it is in staging, chunk 0 was consumed long ago
        Path staged = receiver.inbox().resolve(".caravan/staging").resolve(sid).resolve("tree/random.bin");
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.isRegularFile(staged) && Files.size(staged) == 200_000);
        return sid;
    }

    private static byte[] garbage(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    @Test
    void chunkZeroReplacedAfterExtractionThenPutBackFinishesCorrectly() throws Exception {
        String sid = uploadAllAndWaitForExtraction("zero");
        byte[] wrong = garbage(parcel.part(0).length, 1);
        JsonNode replaced = ok(put(receiver, sid, 0, wrong), 201);
        assertThat(replaced.get("stored").asText()).isEqualTo("replaced");
        assertThat(chunks(ok(status(receiver, sid), 200))).containsEntry(0, Sha256.of(wrong, 0, wrong.length));

        JsonNode back = ok(put(receiver, sid, 0, parcel.part(0)), 201);
        assertThat(back.get("stored").asText()).isEqualTo("replaced");
        assertThat(chunks(ok(status(receiver, sid), 200))).containsEntry(0, parcel.sha(0));
        assertPublished(receiver, finish(receiver, sid, parcel), parcel, "zero");
    }

    @Test
    void finishWhileTheWrongChunkIsThereIs409AndPublishesNothing() throws Exception {
        String sid = uploadAllAndWaitForExtraction("wrong-first");
        List<String> before = inboxEntries(receiver);
        ok(put(receiver, sid, 0, garbage(parcel.part(0).length, 2)), 201);
        JsonNode conflict = error(finish(receiver, sid, parcel), 409, "incomplete");
        assertThat(ints(conflict.get("mismatched"))).containsExactly(0);
        assertThat(conflict.get("missing")).isEmpty();
        assertThat(inboxEntries(receiver)).isEqualTo(before);

        ok(put(receiver, sid, 0, parcel.part(0)), 201);
        assertPublished(receiver, finish(receiver, sid, parcel), parcel, "wrong-first");
    }

    @Test
    void middleChunkReplacedAndRestoredFinishesCorrectly() throws Exception {
        String sid = uploadAllAndWaitForExtraction("middle");
        int middle = parcel.count() / 2;
        ok(put(receiver, sid, middle, garbage(parcel.part(middle).length, 3)), 201);
        ok(put(receiver, sid, middle, parcel.part(middle)), 201);
        assertPublished(receiver, finish(receiver, sid, parcel), parcel, "middle");
    }

    @Test
    void everyChunkReplacedTwiceInARowStillFinishesCorrectly() throws Exception {
        String sid = uploadAllAndWaitForExtraction("churn");
        for (int i = parcel.count() - 1; i >= 0; i--) {
            ok(put(receiver, sid, i, garbage(parcel.part(i).length, 100 + i)), 201);
        }
        for (int i = 0; i < parcel.count(); i++) {
            ok(put(receiver, sid, i, parcel.part(i)), 201);
        }
        assertPublished(receiver, finish(receiver, sid, parcel), parcel, "churn");
    }
}
