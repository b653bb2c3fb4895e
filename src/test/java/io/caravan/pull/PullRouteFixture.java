package io.caravan.pull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.app.CaravanMain;
import io.caravan.pack.Codecs;
import io.caravan.pack.PackOptions;
import io.caravan.progress.ProgressListener;
import io.caravan.receiver.ReceiverFixture;
import io.caravan.sender.ParcelSender;
import io.caravan.sender.Retry;
import io.caravan.sender.SenderSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.main.Main;

/**
 * What the tests of routes/pull.camel.yaml share: a receiver of its own, on a free port, running the pull route
 * from a remote under {@code feeds/} every second, and parcels sent to the remote receiver to be pulled.
 */
final class PullRouteFixture {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PullRouteFixture() {
    }

    /** Starts the pull route from {@code remote} into {@code local}, with the settings {@code more} besides. */
    static Main start(String remote, Path local, Map<String, String> more) throws Exception {
        Map<String, String> properties = new HashMap<>(Map.of(
                "caravan.role", "receiver",
                "caravan.receiver.inbox", local.toString(),
                "caravan.receiver.port", String.valueOf(ReceiverFixture.freePort()),
                "caravan.pull.from", remote,
                "caravan.pull.prefix", "feeds/",
                "caravan.pull.cron", "0/1 * * * * ?"));
        properties.putAll(more);
        Main main = CaravanMain.create(List.of("pull"), properties);
        main.start();
        return main;
    }

    /** The pull state in {@code local} ({@code .caravan/pull/state.json}), empty while there is none. */
    static JsonNode state(Path local) throws java.io.IOException {
        Path file = local.resolve(".caravan/pull/state.json");
        return Files.exists(file) ? JSON.readTree(file.toFile()) : JSON.createObjectNode();
    }

    /** Sends {@code source} to {@code receiver} as {@code name} (zstd, 64 KiB chunks), replacing what it holds there. */
    static void send(ReceiverFixture receiver, Path source, String name, Path senderState) throws Exception {
        SenderSettings settings = new SenderSettings("http://127.0.0.1:" + receiver.port(), null,
                new PackOptions(Codecs.byName("zstd"), 3, 64 * 1024, name), 2, -1,
                senderState, new Retry(2, Duration.ofMillis(100), Duration.ofMillis(200)));
        new ParcelSender(settings).send(source, name, Map.of("on_conflict", "replace"), ProgressListener.NONE);
    }
}
