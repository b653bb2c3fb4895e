package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.TestTrees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A parcel holding an entry the receiver refuses (here a file larger than its max-parcel-bytes) is
 * refused as soon as the chunk with that entry has arrived: {@code caravan send} stops at once,
 * without sending the rest or retrying, and names the entry in its error.
 */
class SendStopsAtRefusedEntryIT {

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    @Test
    void theSenderStopsAtOnceAndNamesTheRefusedEntry() throws Exception {
        int port = E2e.freePort();
        processes.start(dir, "receiver", "run", "--role", "receiver", "-Dcaravan.receiver.port=" + port,
                "-Dcaravan.receiver.inbox=" + dir.resolve("inbox"), "-Dcaravan.receiver.max-parcel-bytes=1MiB")
                .awaitHttpReady(port);
        Path source = Files.createDirectories(dir.resolve("parcel"));
        TestTrees.write(source.resolve("a-note.txt"), "a small file first\n");
        TestTrees.random(source.resolve("big.bin"), 16L << 20, 7);
        int chunks = (int) ((16L << 20) / (256 << 10));

        long t0 = System.nanoTime();
        CaravanProcess send = processes.start(dir, "send", "send", source.toString(), "--to", "http://127.0.0.1:" + port,
                "--chunk-size", "256KiB", "--codec", "none", "--state-dir", dir.resolve("state").toString(), "-q");
        assertThat(send.awaitExit(Duration.ofSeconds(120))).as(send.log()).isEqualTo(1);
        Duration took = Duration.ofNanos(System.nanoTime() - t0);

        assertThat(send.log()).contains("big.bin").contains("1048576");
        String sid = E2e.journalSessionId(dir.resolve("state"));
        assertThat(sid).as("the sender's journal keeps the session").isNotNull();
        JsonNode status = E2e.status(port, sid);
        assertThat(status.get("received").size()).as("chunks sent of %d, in %s", chunks, took).isLessThan(chunks / 4);
        assertThat(took).isLessThan(Duration.ofSeconds(30));
        assertThat(dir.resolve("inbox/parcel")).doesNotExist();
    }
}
