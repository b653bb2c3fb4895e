package io.caravan.sender;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.receiver.ReceiverFixture;
import io.caravan.receiver.RunningReceiver;
import io.caravan.util.Sha256;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real receiver's answer to a chunk says how long it worked on the chunk after its bytes had
 * arrived: some time, and no more than the whole request took; and how long the body took from its
 * head to its last byte, within what is left. The sender's level for {@code auto} does not count the
 * work as the link's, and judges the wire by the body's time.
 */
class ReceiverTellsItsWorkOnAChunkTest {

    @TempDir
    Path tmp;
    @RegisterExtension
    final RunningReceiver running = RunningReceiver.at(() -> tmp.resolve("inbox"));

    @Test
    void theAnswerToAChunkGivesTheReceiversWorkOnIt(ReceiverFixture receiver) {
        ReceiverClient client = new ReceiverClient("http://127.0.0.1:" + receiver.port(), null, Duration.ofMinutes(1));
        String sid = client.start(Map.of("name", "report.bin")).path("session_id").asText();
        byte[] chunk = new byte[1 << 20];
        new Random(3).nextBytes(chunk);

        long started = System.nanoTime();
        ReceiverClient.ChunkAnswer answer = client.put(sid, 0, chunk, Sha256.of(chunk, 0, chunk.length));
        long took = System.nanoTime() - started;

        assertThat(answer.workNanos()).isPositive().isLessThanOrEqualTo(took);
        assertThat(answer.bodyNanos()).as("its body's time from head to last byte").isPositive()
                .isLessThanOrEqualTo(took - answer.workNanos());
    }
}
