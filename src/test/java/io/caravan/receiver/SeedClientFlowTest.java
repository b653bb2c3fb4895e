package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.TestTrees;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Seed 002's client, unchanged: POST /start, sequential 1 MiB PUTs, GET /status, POST /finish. */
class SeedClientFlowTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BLOCK = 1024 * 1024;

    @TempDir
    Path tmp;
    @RegisterExtension
    final RunningReceiver running = RunningReceiver.at(() -> tmp.resolve("inbox"));

    @Test
    void sequentialRawBlocksArePublishedAsAByteIdenticalFile(ReceiverFixture receiver) throws Exception {
        Path sample = tmp.resolve("sample.bin");
        TestTrees.random(sample, 5L * BLOCK + 12_345, 11);
        byte[] data = Files.readAllBytes(sample);
        HttpResponse<String> start = receiver.send("POST", "/start", null);
        assertThat(start.statusCode()).isEqualTo(201);
        String sid = JSON.readTree(start.body()).get("session_id").asText();
        assertThat(sid).matches("[0-9a-f]{32}");

        int total = (data.length + BLOCK - 1) / BLOCK;
        for (int idx = 0; idx < total; idx++) {
            byte[] block = Arrays.copyOfRange(data, idx * BLOCK, Math.min(data.length, (idx + 1) * BLOCK));
            assertThat(receiver.put("/upload/" + sid + "/" + idx, block).statusCode()).isEqualTo(201);
        }
        JsonNode status = JSON.readTree(receiver.get("/status/" + sid).body());
        assertThat(status.get("received").toString()).isEqualTo("[0,1,2,3,4,5]");

        HttpResponse<String> finish = receiver.send("POST", "/finish/" + sid, null);
        assertThat(finish.statusCode()).as(finish.body()).isEqualTo(200);
        assertThat(JSON.readTree(finish.body()).get("path").asText()).isEqualTo(sid);
        assertThat(receiver.inbox().resolve(sid)).hasSameBinaryContentAs(sample);
    }
}
