package io.caravan.pull;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.HandPackedParcel;
import io.caravan.LoggedWarnings;
import io.caravan.download.CatalogClient;
import io.caravan.download.CraftedCatalog;
import io.caravan.fs.Versions;
import io.caravan.sender.Retry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a pull pass tries again at the next pass and what it holds back as refused: a parcel whose manifest is
 * answered 503 is asked for at every pass (the remote may recover); a chunk whose SHA-256 differs from its
 * manifest once may have been damaged on the way and is fetched again, but the same parcel damaged at two
 * passes in a row is refused and not fetched again while its etag stays the same.
 */
class PullRetriedFailuresTest {

    private static final byte[] LISTING = "{\"parcels\":[{\"name\":\"feeds/t\",\"etag\":\"\\\"1\\\"\"}],\"next\":null}"
            .getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path tmp;

    @Test
    void aManifestAnswered503IsAskedForAgainAtEveryPass() throws Exception {
        AtomicInteger manifests = new AtomicInteger();
        try (CraftedCatalog catalog = new CraftedCatalog(Map.of(
                "/parcels", exchange -> CraftedCatalog.answer(exchange, LISTING),
                "/parcels/manifest", exchange -> {
                    manifests.incrementAndGet();
                    CraftedCatalog.json(exchange, 503, "{\"error\":\"busy\",\"message\":\"busy\"}");
                }))) {
            PullPass pass = pass(catalog);
            for (int i = 0; i < 3; i++) {
                assertThat(pass.run()).isZero();
            }
            assertThat(manifests.get()).isEqualTo(3);
        }
    }

    @Test
    void aWrongHashIsFetchedOnceMoreThenRefused() throws Exception {
        byte[] stream = HandPackedParcel.manyFiles("t", 2);
        byte[] manifest = HandPackedParcel.manifest("feeds/t", "zstd", stream).toJson().getBytes(StandardCharsets.UTF_8);
        AtomicInteger manifests = new AtomicInteger();
        try (CraftedCatalog catalog = new CraftedCatalog(Map.of(
                "/parcels", exchange -> CraftedCatalog.answer(exchange, LISTING),
                "/parcels/manifest", CraftedCatalog.counted(manifests, manifest),
                "/parcels/chunks/", exchange -> {
                    byte[] chunk = HandPackedParcel.chunk(stream, CraftedCatalog.chunkIndex(exchange));
                    chunk[0] ^= 1; // a copy: the stream stays as the manifest describes it
                    CraftedCatalog.answer(exchange, chunk);
                }));
             LoggedWarnings warnings = new LoggedWarnings()) {
            PullPass pass = pass(catalog);
            for (int i = 0; i < 4; i++) {
                assertThat(pass.run()).isZero();
            }
            assertThat(manifests.get()).isEqualTo(2);
            assertThat(warnings.containing("feeds/t")).hasSize(2);
            assertThat(warnings.containing("feeds/t").get(1)).contains("SHA-256").contains("not fetched again");
        }
    }

    private PullPass pass(CraftedCatalog catalog) {
        return new PullPass(new PullPass.Settings(new CatalogClient(catalog.url(), null, Duration.ofSeconds(30)), "feeds/",
                tmp.resolve("local"), 1, 0, Versions.none(), new Retry(1, Duration.ofMillis(10), Duration.ofMillis(10))),
                Clock.systemUTC());
    }
}
