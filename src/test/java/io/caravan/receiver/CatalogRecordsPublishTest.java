package io.caravan.receiver;

import static io.caravan.receiver.ReceiverCalls.assertPublished;
import static io.caravan.receiver.ReceiverCalls.finish;
import static io.caravan.receiver.ReceiverCalls.ok;
import static io.caravan.receiver.ReceiverCalls.putAll;
import static io.caravan.receiver.ReceiverCalls.range;
import static io.caravan.receiver.ReceiverCalls.smallParcel;
import static io.caravan.receiver.ReceiverCalls.startArchive;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.receiver.ReceiverCalls.Parcel;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** What the catalog keeps of a publish: name, kind, files, bytes and the SHA-256 the finish answered, per generation. */
class CatalogRecordsPublishTest {

    @TempDir
    static Path tmp;
    @RegisterExtension
    final RunningReceiver running = RunningReceiver.at(() -> tmp.resolve("inbox"));

    @Test
    void theCatalogRecordCarriesTheVerifiedStreamDigest(ReceiverFixture receiver) throws Exception {
        Parcel parcel = smallParcel(tmp, "recorded", 200_000, 5);
        String sid = startArchive(receiver, "recorded");
        putAll(receiver, sid, parcel, range(0, parcel.count()));
        JsonNode answer = assertPublished(receiver, finish(receiver, sid, parcel), parcel, "recorded");

        JsonNode listed = ok(receiver.get("/parcels"), 200).path("parcels").get(0);
        assertThat(listed.path("name").asText()).isEqualTo("recorded");
        assertThat(listed.path("files").asLong()).isEqualTo(answer.path("files").asLong());
        assertThat(listed.path("bytes").asLong()).isEqualTo(answer.path("bytes").asLong());
        assertThat(listed.path("sha256").asText()).isEqualTo(parcel.manifest().sha256());
    }
}
