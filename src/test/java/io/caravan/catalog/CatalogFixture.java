package io.caravan.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.pack.Codecs;
import io.caravan.pack.PackOptions;
import io.caravan.progress.ProgressListener;
import io.caravan.receiver.ReceiverFixture;
import io.caravan.receiver.RunningReceiver;
import io.caravan.sender.ParcelSender;
import io.caravan.sender.Retry;
import io.caravan.sender.SenderSettings;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

/** Publishing parcels into a test receiver with the real sender, and reading the catalog's JSON answers. */
final class CatalogFixture {

    static final ObjectMapper JSON = new ObjectMapper();
    /** The catalog chunk size the tests configure: small, so a small tree spans several chunks. */
    static final String CHUNK = "64KiB";

    private CatalogFixture() {
    }

    /** A receiver whose catalog packs in 64 KiB chunks, plus any extra properties. */
    static ReceiverFixture receiver(Path inbox, Map<String, String> extra) throws Exception {
        java.util.Map<String, String> properties = new java.util.LinkedHashMap<>(extra);
        properties.putIfAbsent("caravan.catalog.chunk-size", CHUNK);
        return new ReceiverFixture(inbox, properties);
    }

    /** A {@link RunningReceiver} whose catalog packs in 64 KiB chunks, publishing into {@code inbox}. */
    static RunningReceiver receiverAt(Supplier<Path> inbox) {
        return RunningReceiver.at(inbox).property("caravan.catalog.chunk-size", CHUNK);
    }

    /** Sends {@code source} as {@code name} with {@code codec} through the real sender; returns the receiver's answer. */
    static JsonNode send(ReceiverFixture receiver, Path source, String name, String codec, Path state, String token)
            throws IOException, InterruptedException {
        SenderSettings settings = new SenderSettings("http://127.0.0.1:" + receiver.port(), token,
                new PackOptions(Codecs.byName(codec), Codecs.byName(codec).defaultLevel(), 64 * 1024, name), 2, -1,
                state, new Retry(2, Duration.ofMillis(100), Duration.ofMillis(200)));
        return new ParcelSender(settings).send(source, name, Map.of("on_conflict", "replace"), ProgressListener.NONE)
                .answer();
    }

    /** Publishes the folder {@code small} holding {@code a.txt} ("a"), sent from below {@code tmp}. */
    static void publishSmall(ReceiverFixture receiver, Path tmp) throws Exception {
        Path small = java.nio.file.Files.createDirectories(tmp.resolve("src-small/small"));
        io.caravan.TestTrees.write(small.resolve("a.txt"), "a");
        send(receiver, small, "small", "zstd", tmp.resolve("state-small"), null);
    }

    /** Publishes the folder {@code name} holding {@code random.bin} of {@code size} random bytes, stored as sent (codec none). */
    static void publishRandom(ReceiverFixture receiver, Path tmp, String name, int size, long seed) throws Exception {
        Path folder = java.nio.file.Files.createDirectories(tmp.resolve("src-" + name).resolve(name));
        io.caravan.TestTrees.random(folder.resolve("random.bin"), size, seed);
        send(receiver, folder, name, "none", tmp.resolve("state-" + name), null);
    }

    static JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }
}
