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
}
