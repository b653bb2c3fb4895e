package io.caravan.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.receiver.ReceiverFixture;
import java.nio.file.Path;
import java.util.Map;

/** The catalog test fixture for tests in other packages (the download client's). */
public final class CatalogTestAccess {

    private CatalogTestAccess() {
    }

    /** A receiver whose catalog packs in 64 KiB chunks. */
    public static ReceiverFixture receiver(Path inbox) throws Exception {
        return CatalogFixture.receiver(inbox, Map.of());
    }

    public static JsonNode send(ReceiverFixture receiver, Path source, String name, String codec, Path state) throws Exception {
        return CatalogFixture.send(receiver, source, name, codec, state, null);
    }
}
