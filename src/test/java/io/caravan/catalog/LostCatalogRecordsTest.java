package io.caravan.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.TestTrees;
import io.caravan.fs.ConfinedDir;
import io.caravan.receiver.ReceiverFixture;
import io.caravan.receiver.RunningReceiver;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The catalog's records are an index of what the inbox holds: a parcel whose record was lost (the catalog
 * folder removed, by hand or a cleanup job) is still served as a parcel by its name, since the inbox still
 * holds it (a path inside a parcel whose record stands is not one). Before, it was answered 404 "nothing is
 * published", after a restart too.
 */
class LostCatalogRecordsTest {

    @TempDir
    Path tmp;
    @RegisterExtension
    final RunningReceiver running = CatalogFixture.receiverAt(() -> tmp.resolve("inbox"));

    @Test
    void aParcelWhoseRecordWasLostIsStillServedByItsName(ReceiverFixture receiver) throws Exception {
        Path docs = Files.createDirectories(tmp.resolve("src/docs"));
        TestTrees.random(docs.resolve("data.bin"), 300_000, 7);
        CatalogFixture.send(receiver, docs, "docs", "zstd", tmp.resolve("state"), null);
        assertThat(receiver.get("/parcels/manifest?name=docs").statusCode()).isEqualTo(200);
        assertThat(receiver.get("/parcels/manifest?name=docs/data.bin").statusCode()).as("a path inside a recorded parcel")
                .isEqualTo(404);

        try (ConfinedDir state = ConfinedDir.open(receiver.inbox().resolve(".caravan"))) {
            state.deleteTree("catalog");
        }

        HttpResponse<String> manifest = receiver.get("/parcels/manifest?name=docs");
        assertThat(manifest.statusCode()).as(manifest.body()).isEqualTo(200);
        assertThat(receiver.get("/parcels/chunks/0?name=docs").statusCode()).isEqualTo(200);
        receiver.restart();
        assertThat(receiver.get("/parcels/manifest?name=docs").statusCode()).isEqualTo(200);
        assertThat(receiver.get("/parcels/manifest?name=nothing-here").statusCode()).isEqualTo(404);
    }
}
