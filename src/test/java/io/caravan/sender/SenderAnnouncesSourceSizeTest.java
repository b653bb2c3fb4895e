package io.caravan.sender;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.TestTrees;
import io.caravan.pack.Codecs;
import io.caravan.pack.PackOptions;
import io.caravan.receiver.ReceiverFixture;
import io.caravan.receiver.RunningReceiver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sender announces the bytes of its source when it starts a session (the file's size, or the sum of
 * a folder's files), so the receiver's console can show the upload's progress and ETA.
 */
class SenderAnnouncesSourceSizeTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    @RegisterExtension
    final RunningReceiver running = RunningReceiver.at(() -> tmp.resolve("inbox"));
    ReceiverFixture receiver;

    @BeforeEach
    void started(ReceiverFixture started) {
        receiver = started;
    }

    private ParcelSender sender() throws IOException {
        return new ParcelSender(new SenderSettings("http://127.0.0.1:" + receiver.port(), null,
                new PackOptions(Codecs.byName("zstd"), 3, 256 * 1024, "x"), 2, 1L << 20, tmp.resolve("state"),
                new Retry(2, Duration.ofMillis(100), Duration.ofMillis(200))));
    }

    private long announced(String sid) throws Exception {
        JsonNode sessions = JSON.readTree(receiver.get("/console/api/overview").body()).get("sessions");
        for (JsonNode session : sessions) {
            if (session.get("id").asText().equals(sid)) {
                return session.path("expected_bytes").asLong(-1);
            }
        }
        throw new AssertionError("no live session " + sid + " in " + sessions);
    }

    @Test
    void aFolderAnnouncesTheSumOfItsFiles() throws Exception {
        Path source = Files.createDirectories(tmp.resolve("src/photos"));
        TestTrees.random(source.resolve("a.raw"), 700_000, 1);
        TestTrees.random(Files.createDirectories(source.resolve("sub")).resolve("b.raw"), 500_000, 2);

        ParcelUpload upload = sender().open(source, "photos");

        assertThat(announced(upload.sessionId())).isEqualTo(1_200_000);
    }

    @Test
    void aFileAnnouncesItsSize() throws Exception {
        Path source = Files.createDirectories(tmp.resolve("src")).resolve("one.bin");
        TestTrees.random(source, 300_000, 3);

        ParcelUpload upload = sender().open(source, "one.bin");

        assertThat(announced(upload.sessionId())).isEqualTo(300_000);
    }
}
