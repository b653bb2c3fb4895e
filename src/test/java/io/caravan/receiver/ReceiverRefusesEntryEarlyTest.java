package io.caravan.receiver;

import static io.caravan.receiver.ReceiverCalls.error;
import static io.caravan.receiver.ReceiverCalls.inboxEntries;
import static io.caravan.receiver.ReceiverCalls.ints;
import static io.caravan.receiver.ReceiverCalls.ok;
import static io.caravan.receiver.ReceiverCalls.put;
import static io.caravan.receiver.ReceiverCalls.startArchive;
import static io.caravan.receiver.ReceiverCalls.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An entry the receiver will refuse is refused as soon as its chunk has arrived, not after the whole
 * transfer: the next upload of the session answers a final 4xx naming the entry (422
 * {@code refused_entry} with {@code entry}, or 413 for a limit), later chunks are not stored, the
 * finish answers the same refusal, and the staging folder is gone.
 */
class ReceiverRefusesEntryEarlyTest {

    private static final int CHUNK = 64 * 1024;

    @TempDir
    static Path tmp;
    @RegisterExtension
    static final RunningReceiver RUNNING = RunningReceiver.at(() -> tmp.resolve("inbox"))
            .properties(Map.of("caravan.receiver.max-parcel-bytes", "200KiB"));
    static ReceiverFixture receiver;

    @BeforeAll
    static void startReceiver(ReceiverFixture started) throws Exception {
        receiver = started;
    }

    private static void file(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
        CraftedParcel.file(tar, name, content);
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** Uploads chunk 1 until the receiver has found the refusal in chunk 0; returns that answer. */
    private static HttpResponse<String> awaitRefusal(String sid, CraftedParcel parcel) {
        HttpResponse<String>[] last = new HttpResponse[1];
        await("the refusal found in chunk 0").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> (last[0] = put(receiver, sid, 1, parcel.parts().get(1))).statusCode() >= 400);
        return last[0];
    }

    @Test
    void anUnsafeEntryIsRefusedAtTheNextUploadNamingIt() throws Exception {
        CraftedParcel parcel = CraftedParcel.of(tar -> {
            file(tar, "p/../../evil.txt", "not here".getBytes(StandardCharsets.UTF_8));
            file(tar, "p/data.bin", random(150_000, 1));
        }, CHUNK);
        assertThat(parcel.count()).isGreaterThanOrEqualTo(3);
        String sid = startArchive(receiver, "unsafe");
        ok(put(receiver, sid, 0, parcel.parts().get(0)), 201);

        JsonNode refused = error(awaitRefusal(sid, parcel), 422, "refused_entry");
        assertThat(refused.get("entry").asText()).isEqualTo("p/../../evil.txt");
        assertThat(refused.get("message").asText()).contains("p/../../evil.txt");
        // a later chunk is refused the same way and not even stored
        int last = parcel.count() - 1;
        assertThat(error(put(receiver, sid, last, parcel.parts().get(last)), 422, "refused_entry").get("entry").asText())
                .isEqualTo("p/../../evil.txt");
        assertThat(ints(ok(status(receiver, sid), 200).get("received"))).doesNotContain(last);

        JsonNode atFinish = error(parcel.finish(receiver, sid), 422, null);
        assertThat(atFinish.get("entry").asText()).isEqualTo("p/../../evil.txt");
        assertThat(receiver.inbox().resolve(".caravan/staging").resolve(sid)).doesNotExist();
        assertThat(inboxEntries(receiver)).doesNotContain("unsafe", "evil.txt");
        assertThat(Files.exists(tmp.resolve("evil.txt"))).isFalse();
    }

    @Test
    void anEntryOverTheParcelLimitIsRefusedAtTheNextUpload() throws Exception {
        CraftedParcel parcel = CraftedParcel.of(tar -> {
            file(tar, "q/small.txt", "fits".getBytes(StandardCharsets.UTF_8));
            file(tar, "q/huge.bin", random(400_000, 2));
        }, CHUNK);
        String sid = startArchive(receiver, "huge");
        ok(put(receiver, sid, 0, parcel.parts().get(0)), 201);

        JsonNode refused = error(awaitRefusal(sid, parcel), 413, null);
        assertThat(refused.get("message").asText()).contains("q/huge.bin");
        error(parcel.finish(receiver, sid), 413, null);
        assertThat(inboxEntries(receiver)).doesNotContain("huge");
    }

    @Test
    void anEntryWhoseHeaderDeclaresMoreThanTheLimitIsRefusedBeforeItsBytesArrive() throws Exception {
        CraftedParcel parcel = CraftedParcel.of(tar -> {
            file(tar, "r/small.txt", "fits".getBytes(StandardCharsets.UTF_8));
            file(tar, "r/declared.bin", random(4_000_000, 3));
        }, CHUNK);
        String sid = startArchive(receiver, "declared");
        ok(put(receiver, sid, 0, parcel.parts().get(0)), 201);

        // chunks 0 and 1 hold far less than the 200 KiB limit: only the header's declared size can refuse here
        JsonNode refused = error(awaitRefusal(sid, parcel), 413, null);
        assertThat(refused.get("message").asText()).contains("r/declared.bin");
        assertThat(ints(ok(status(receiver, sid), 200).get("received"))).hasSizeLessThanOrEqualTo(2);
    }
}
