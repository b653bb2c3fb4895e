package io.caravan.receiver;

import static io.caravan.receiver.ReceiverCalls.assertPublished;
import static io.caravan.receiver.ReceiverCalls.chunks;
import static io.caravan.receiver.ReceiverCalls.finish;
import static io.caravan.receiver.ReceiverCalls.ints;
import static io.caravan.receiver.ReceiverCalls.ok;
import static io.caravan.receiver.ReceiverCalls.putAll;
import static io.caravan.receiver.ReceiverCalls.range;
import static io.caravan.receiver.ReceiverCalls.startArchive;
import static io.caravan.receiver.ReceiverCalls.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.receiver.ReceiverCalls.Parcel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Parts of an archive session PUT in any order: they wait on disk and finish publishes an identical tree. */
class ReceiverOutOfOrderUploadTest {

    @TempDir
    static Path tmp;
    @RegisterExtension
    static final RunningReceiver RUNNING = RunningReceiver.at(() -> tmp.resolve("inbox"));
    static ReceiverFixture receiver;
    static Parcel parcel;

    @BeforeAll
    static void startReceiver(ReceiverFixture started) throws Exception {
        receiver = started;
        parcel = ReceiverCalls.fidelityParcel(tmp, "ooo");
        assertThat(parcel.count()).isGreaterThanOrEqualTo(6);
    }

    private static boolean stagingHasEntries(String sid) throws IOException {
        Path staging = receiver.inbox().resolve(".caravan/staging").resolve(sid);
        if (!Files.isDirectory(staging)) {
            return false;
        }
        try (var children = Files.list(staging)) {
            return children.findAny().isPresent();
        }
    }

    @Test
    void reverseOrderWaitsForChunkZeroAndPublishesAnIdenticalTree() throws Exception {
        String sid = startArchive(receiver, "reverse");
        List<Integer> reverse = range(1, parcel.count());
        Collections.reverse(reverse);
        putAll(receiver, sid, parcel, reverse);

        JsonNode status = ok(status(receiver, sid), 200);
        assertThat(ints(status.get("received"))).isEqualTo(range(1, parcel.count()));
        // nothing can be extracted before chunk 0: the others wait on disk
        assertThat(stagingHasEntries(sid)).isFalse();

        putAll(receiver, sid, parcel, List.of(0));
        await().atMost(Duration.ofSeconds(10)).until(() -> stagingHasEntries(sid));
        assertPublished(receiver, finish(receiver, sid, parcel), parcel, "reverse");
    }

    @Test
    void shuffledOrderPublishesAnIdenticalTree() throws Exception {
        for (long seed : new long[] {1, 2, 3}) {
            String sid = startArchive(receiver, "shuffled-" + seed);
            List<Integer> order = range(0, parcel.count());
            Collections.shuffle(order, new Random(seed));
            putAll(receiver, sid, parcel, order);
            JsonNode status = ok(status(receiver, sid), 200);
            assertThat(ints(status.get("received"))).isEqualTo(range(0, parcel.count()));
            for (int i = 0; i < parcel.count(); i++) {
                assertThat(chunks(status)).containsEntry(i, parcel.sha(i));
            }
            assertPublished(receiver, finish(receiver, sid, parcel), parcel, "shuffled-" + seed);
        }
    }

    @Test
    void finishBeforeTheLastChunkIs409ThenTheLateChunkCompletesIt() throws Exception {
        String sid = startArchive(receiver, "late");
        List<Integer> allButLast = range(0, parcel.count() - 1);
        Collections.reverse(allButLast);
        putAll(receiver, sid, parcel, allButLast);
        JsonNode conflict = ReceiverCalls.error(finish(receiver, sid, parcel), 409, "incomplete");
        assertThat(ints(conflict.get("missing"))).containsExactly(parcel.count() - 1);
        assertThat(receiver.inbox().resolve("late")).doesNotExist();
        putAll(receiver, sid, parcel, List.of(parcel.count() - 1));
        assertPublished(receiver, finish(receiver, sid, parcel), parcel, "late");
    }

    @Test
    void aStrayChunkBeyondTheManifestDoesNotBlockTheFinish() throws Exception {
        // e.g. left from an earlier, longer version of the parcel: the manifest's chunk count decides
        String sid = startArchive(receiver, "stray");
        byte[] stray = new byte[1000];
        new Random(99).nextBytes(stray);
        ok(ReceiverCalls.put(receiver, sid, parcel.count(), stray), 201);
        putAll(receiver, sid, parcel, range(0, parcel.count()));
        assertPublished(receiver, finish(receiver, sid, parcel), parcel, "stray");
    }

    @Test
    void aStrayChunkUploadedFirstDoesNotBlockTheFinishEither() throws Exception {
        String sid = startArchive(receiver, "stray-late");
        putAll(receiver, sid, parcel, range(0, parcel.count()));
        byte[] stray = new byte[1000];
        new Random(98).nextBytes(stray);
        ok(ReceiverCalls.put(receiver, sid, parcel.count() + 3, stray), 201);
        ok(ReceiverCalls.put(receiver, sid, parcel.count(), stray), 201);
        assertPublished(receiver, finish(receiver, sid, parcel), parcel, "stray-late");
    }
}
