package io.caravan.receiver;

import static io.caravan.receiver.ReceiverCalls.error;
import static io.caravan.receiver.ReceiverCalls.ok;
import static io.caravan.receiver.ReceiverCalls.put;
import static io.caravan.receiver.ReceiverCalls.startArchive;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.CraftedTar;
import io.caravan.WideWindowStreams;
import io.caravan.pack.ChunkInfo;
import io.caravan.pack.Manifest;
import io.caravan.util.Sha256;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stream whose header asks its decoder for more memory than the receiver gives one decoder (an xz
 * dictionary, a zstd window) is refused before that memory is taken: 413 {@code decoder_limit} naming the
 * codec, what the stream asks and the limit, and the receiver stays up, also once restarted with the
 * session's chunk still stored. With the test JVM's 512 MiB heap and 8 extraction threads, one decoder may
 * hold 32 MiB.
 */
class ReceiverDecoderMemoryTest {

    @TempDir
    Path tmp;
    @RegisterExtension
    final RunningReceiver running = RunningReceiver.at(() -> tmp.resolve("inbox"));

    private static byte[] tar() throws Exception {
        return new CraftedTar().dir("wide").file("wide/a.txt").bytes();
    }

    private static String manifest(String name, String codec, byte[] stream) throws Exception {
        String sha = Sha256.of(stream, 0, stream.length);
        return new Manifest(Manifest.VERSION, Manifest.FORMAT, name, codec, 6, ReceiverCalls.CHUNK, 1, stream.length, sha,
                null, null, null, List.of(new ChunkInfo(0, stream.length, sha))).validate().toJson();
    }

    private static String upload(ReceiverFixture receiver, String name, String codec, byte[] stream) throws Exception {
        String sid = startArchive(receiver, name, Map.of("codec", codec));
        HttpResponse<String> stored = put(receiver, sid, 0, stream);
        assertThat(stored.statusCode()).as(stored.body()).isIn(201, 413);
        return sid;
    }

    private static void assertUp(ReceiverFixture receiver) throws Exception {
        assertThat(receiver.get("/health").statusCode()).isEqualTo(200);
    }

    @Test
    void anXzStreamAskingForA192MibDictionaryIsRefusedAndTheReceiverStaysUpAcrossARestart(ReceiverFixture receiver)
            throws Exception {
        byte[] stream = WideWindowStreams.xz(tar(), 31);
        assertThat(WideWindowStreams.xzDictionary(31)).isEqualTo(192L << 20);
        assertThat(stream.length).isLessThan(400);
        String sid = upload(receiver, "xz192", "xz", stream);

        JsonNode refused = error(receiver.post("/finish/" + sid, manifest("xz192", "xz", stream)), 413, "decoder_limit");
        assertThat(refused.get("message").asText()).contains("xz").contains("192 MiB").contains("32 MiB")
                .contains("xz -").doesNotContainIgnoringCase("exception");
        assertUp(receiver);
        assertThat(receiver.inbox().resolve("xz192")).doesNotExist();

        receiver.restart(); // the session and its chunk are still stored: its extraction starts again, and fails again
        assertUp(receiver);
        error(receiver.post("/finish/" + sid, manifest("xz192", "xz", stream)), 413, "decoder_limit");
        assertUp(receiver);
    }

    @Test
    void aZstdFrameAskingForA128MibWindowIsRefused(ReceiverFixture receiver) throws Exception {
        byte[] stream = WideWindowStreams.zstd(tar(), 27);
        String sid = upload(receiver, "zstd27", "zstd", stream);

        JsonNode refused = error(receiver.post("/finish/" + sid, manifest("zstd27", "zstd", stream)), 413, "decoder_limit");
        assertThat(refused.get("message").asText()).contains("zstd").contains("128 MiB").contains("32 MiB");
        assertUp(receiver);
    }

    @Test
    void streamsWithinTheLimitArePublished(ReceiverFixture receiver) throws Exception {
        byte[] xz = WideWindowStreams.xz(tar(), 25);
        assertThat(WideWindowStreams.xzDictionary(25)).isEqualTo(24L << 20);
        ok(receiver.post("/finish/" + upload(receiver, "xzok", "xz", xz), manifest("xzok", "xz", xz)), 200);
        byte[] zstd = WideWindowStreams.zstd(tar(), 24);
        ok(receiver.post("/finish/" + upload(receiver, "zstdok", "zstd", zstd), manifest("zstdok", "zstd", zstd)), 200);
        assertThat(receiver.inbox().resolve("xzok")).exists();
        assertThat(receiver.inbox().resolve("zstdok")).exists();
    }
}
