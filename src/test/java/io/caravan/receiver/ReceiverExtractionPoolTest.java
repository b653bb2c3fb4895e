package io.caravan.receiver;

import static io.caravan.receiver.ReceiverCalls.assertPublished;
import static io.caravan.receiver.ReceiverCalls.finish;
import static io.caravan.receiver.ReceiverCalls.putAll;
import static io.caravan.receiver.ReceiverCalls.range;
import static io.caravan.receiver.ReceiverCalls.startArchive;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caravan.receiver.ReceiverCalls.Parcel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Archive sessions are extracted on a bounded pool: more open sessions than threads start no more
 * threads, a session waiting for a chunk gives its thread up to the ones queued behind it, and every
 * session still publishes. The pool stops with the receiver.
 */
class ReceiverExtractionPoolTest {

    @TempDir
    Path tmp;

    private static long extractionThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> name.contains("caravan-extract") || name.contains("caravan-assemble"))
                .count();
    }

    @Test
    void moreSessionsThanThreadsQueueAndAllPublish() throws Exception {
        Parcel parcel = ReceiverCalls.fidelityParcel(tmp, "pooled");
        assertThat(parcel.count()).isGreaterThanOrEqualTo(3);
        try (ReceiverFixture receiver = new ReceiverFixture(tmp.resolve("inbox"),
                Map.of("caravan.receiver.extract-threads", "1"))) {
            List<String> sessions = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String sid = startArchive(receiver, "pooled-" + i);
                // chunk 0 only: each extraction starts and then waits for chunk 1
                putAll(receiver, sid, parcel, List.of(0));
                sessions.add(sid);
            }
            assertThat(extractionThreads()).as("threads extracting four sessions at once").isLessThanOrEqualTo(1);

            // the last session is completed first: it must not wait for the stalled ones
            String last = sessions.get(sessions.size() - 1);
            putAll(receiver, last, parcel, range(1, parcel.count()));
            assertPublished(receiver, finish(receiver, last, parcel), parcel, "pooled-3");
            for (int i = 0; i < sessions.size() - 1; i++) {
                putAll(receiver, sessions.get(i), parcel, range(1, parcel.count()));
                assertPublished(receiver, finish(receiver, sessions.get(i), parcel), parcel, "pooled-" + i);
            }
            assertThat(extractionThreads()).isLessThanOrEqualTo(1);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> extractionThreads() == 0);
    }

    /**
     * A session that gives its thread up after a checkpoint keeps its staging folder and checkpoint, and
     * its extraction goes on from there once its chunks arrive, publishing the tree whole.
     */
    @Test
    void aParkedExtractionKeepsItsCheckpointAndGoesOnFromIt() throws Exception {
        Path source = java.nio.file.Files.createDirectories(tmp.resolve("src-big/tree"));
        for (int f = 0; f < 6; f++) {
            io.caravan.TestTrees.random(source.resolve("part-" + f + ".bin"), 1_000_000, f);
        }
        Parcel big = ReceiverCalls.pack(source, tmp.resolve("parts-big/p"));
        Parcel small = ReceiverCalls.fidelityParcel(tmp, "small");
        try (ReceiverFixture receiver = new ReceiverFixture(tmp.resolve("inbox"),
                Map.of("caravan.receiver.extract-threads", "1"))) {
            String first = startArchive(receiver, "big");
            Path staging = tmp.resolve("inbox/.caravan/staging");
            Path checkpoint = staging.resolve(first + ".checkpoint");
            int sent = 0;
            while (!java.nio.file.Files.exists(checkpoint) && sent < big.count() - 1) {
                putAll(receiver, first, big, List.of(sent++));
            }
            await("a checkpoint of the first session").atMost(Duration.ofSeconds(10))
                    .until(() -> java.nio.file.Files.exists(checkpoint));
            assertThat(sent).isLessThan(big.count());
            String second = startArchive(receiver, "small");
            putAll(receiver, second, small, List.of(0));
            // the first waits for its next chunk while the second queues: it gives its thread up
            await("the second session gets the thread").atMost(Duration.ofSeconds(15))
                    .until(() -> Thread.getAllStackTraces().keySet().stream()
                            .anyMatch(t -> t.getName().equals("caravan-assemble-" + second.substring(0, 8))));
            assertThat(checkpoint).as("the parked session's checkpoint").exists();
            assertThat(staging.resolve(first)).as("the parked session's staging folder").isDirectory();

            putAll(receiver, first, big, range(sent, big.count()));
            assertPublished(receiver, finish(receiver, first, big), big, "big");
            putAll(receiver, second, small, range(1, small.count()));
            assertPublished(receiver, finish(receiver, second, small), small, "small");
        }
    }
}
