package io.caravan.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.receiver.ReceiverFixture;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With caravan.receiver.token set, the read side needs the same bearer token as uploads; others get 401 JSON. */
class CatalogNeedsTokenTest {

    @TempDir
    Path tmp;

    @Test
    void everyReadVerbChecksTheToken() throws Exception {
        try (ReceiverFixture receiver = CatalogFixture.receiver(tmp.resolve("inbox"), Map.of("caravan.receiver.token", "secret"))) {
            for (String path : new String[] {"/parcels", "/parcels/manifest?name=x", "/parcels/chunks/0?name=x", "/files?path=x"}) {
                CatalogApiTest.error(receiver.get(path), 401);
            }
            assertThat(receiver.send("GET", "/parcels", null, "Authorization", "Bearer secret").statusCode()).isEqualTo(200);
            CatalogApiTest.error(receiver.send("GET", "/files?path=x", null, "Authorization", "Bearer secret"), 404);
        }
    }
}
