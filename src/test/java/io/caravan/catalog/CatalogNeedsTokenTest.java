package io.caravan.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.receiver.ReceiverFixture;
import io.caravan.receiver.RunningReceiver;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** With caravan.receiver.token set, the read side needs the same bearer token as uploads; others get 401 JSON. */
class CatalogNeedsTokenTest {

    @TempDir
    Path tmp;
    @RegisterExtension
    final RunningReceiver running = CatalogFixture.receiverAt(() -> tmp.resolve("inbox")).token("secret");

    @Test
    void everyReadVerbChecksTheToken(ReceiverFixture receiver) throws Exception {
        for (String path : new String[] {"/parcels", "/parcels/manifest?name=x", "/parcels/chunks/0?name=x", "/files?path=x",
                "/parcels/zip?name=x", "/parcels/tar-zst?name=x"}) {
            CatalogApiTest.error(receiver.get(path), 401);
        }
        assertThat(receiver.send("GET", "/parcels", null, "Authorization", "Bearer secret").statusCode()).isEqualTo(200);
        CatalogApiTest.error(receiver.send("GET", "/files?path=x", null, "Authorization", "Bearer secret"), 404);
    }
}
