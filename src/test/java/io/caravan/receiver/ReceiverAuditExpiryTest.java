package io.caravan.receiver;

import static io.caravan.receiver.ReceiverCalls.finish;
import static io.caravan.receiver.ReceiverCalls.ok;
import static io.caravan.receiver.ReceiverCalls.putAll;
import static io.caravan.receiver.ReceiverCalls.range;
import static io.caravan.receiver.ReceiverCalls.startArchive;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.receiver.ReceiverCalls.Parcel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The Quartz cleanup's expired sessions, and downloads from the catalog, leave their audit lines. */
class ReceiverAuditExpiryTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    @RegisterExtension
    final RunningReceiver running = RunningReceiver.at(() -> tmp.resolve("inbox")).properties(Map.of(
            "caravan.receiver.session-ttl", "2s", "caravan.receiver.cleanup-cron", "0/1 * * * * ?"));

    @Test
    void anExpiredSessionAndADownloadAreAudited(ReceiverFixture receiver) throws Exception {
        String abandoned = startArchive(receiver, "abandoned");
        Parcel parcel = ReceiverCalls.smallParcel(tmp, "fetched", 100_000, 4);
        String sid = startArchive(receiver, "fetched");
        putAll(receiver, sid, parcel, range(0, parcel.parts().size()));
        ok(finish(receiver, sid, parcel), 200);
        ok(receiver.get("/parcels/manifest?name=fetched"), 200);

        Path audit = receiver.inbox().resolve(".caravan/audit.jsonl");
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> Files.readAllLines(audit).stream()
                .anyMatch(l -> l.contains("\"expiry\"") && l.contains(abandoned)));
        JsonNode download = null;
        for (String line : Files.readAllLines(audit)) {
            JsonNode node = JSON.readTree(line);
            if (node.get("event").asText().equals("download")) {
                download = node;
            }
        }
        assertThat(download).isNotNull();
        assertThat(download.get("name").asText()).isEqualTo("fetched");
        assertThat(download.get("client").asText()).isEqualTo("127.0.0.1");
        assertThat(download.get("result").asText()).isEqualTo("ok");
    }
}
