package io.caravan.pull;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CraftedTar;
import io.caravan.HandPackedParcel;
import io.caravan.LoggedWarnings;
import io.caravan.WideWindowStreams;
import io.caravan.download.CatalogClient;
import io.caravan.download.CraftedCatalog;
import io.caravan.fs.Versions;
import io.caravan.pack.DecoderMemory;
import io.caravan.sender.Retry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pulled parcel whose xz header asks for a 192 MiB dictionary, more than the receiver's decoder memory (32
 * MiB here): the pass logs one warning naming the parcel, the dictionary and the limit, keeps nothing and goes
 * on; never running out of memory, never advice to give a larger heap for what no heap should hold. The next
 * passes do not fetch it again while its etag and the limits stay the same; with other limits, it is.
 */
class PullDecoderMemoryTest {

    @TempDir
    Path tmp;

    @Test
    void aDictionaryAboveTheReceiversLimitIsLoggedForThatParcel() throws Exception {
        byte[] stream = WideWindowStreams.xz(new CraftedTar().dir("wide").file("wide/a.txt").bytes(), 31);
        byte[] manifest = HandPackedParcel.manifest("feeds/wide", "xz", stream).toJson()
                .getBytes(StandardCharsets.UTF_8);
        byte[] listing = "{\"parcels\":[{\"name\":\"feeds/wide\",\"etag\":\"\\\"1\\\"\"}],\"next\":null}"
                .getBytes(StandardCharsets.UTF_8);
        java.util.concurrent.atomic.AtomicInteger manifests = new java.util.concurrent.atomic.AtomicInteger();
        try (CraftedCatalog catalog = new CraftedCatalog(Map.of(
                "/parcels", exchange -> CraftedCatalog.answer(exchange, listing),
                "/parcels/manifest", CraftedCatalog.counted(manifests, manifest),
                "/parcels/chunks/", exchange -> CraftedCatalog.answer(exchange,
                        HandPackedParcel.chunk(stream, CraftedCatalog.chunkIndex(exchange)))));
             LoggedWarnings warnings = new LoggedWarnings()) {
            Path local = tmp.resolve("local");
            PullPass pass = pass(catalog, local, 1000);

            assertThat(pass.run()).isZero();

            assertThat(warnings.containing("feeds/wide")).hasSize(1).allMatch(line -> line.contains("cannot fetch")
                    && line.contains("xz stream asks for 192 MiB") && line.contains("limit of 32 MiB")
                    && line.contains("caravan.receiver.decoder-memory"));
            assertThat(warnings.containing("out of memory")).isEmpty();
            assertThat(local.resolve("feeds/wide")).doesNotExist();

            assertThat(pass.run()).isZero();
            assertThat(pass(catalog, local, 1000).run()).isZero();
            assertThat(manifests.get()).as("refused at this etag and these limits").isEqualTo(1);
            assertThat(warnings.containing("feeds/wide")).hasSize(1);
            assertThat(pass(catalog, local, 999).run()).isZero();
            assertThat(manifests.get()).as("tried again under other limits").isEqualTo(2);
            assertThat(warnings.containing("feeds/wide")).hasSize(2);
        }
    }

    private static PullPass pass(CraftedCatalog catalog, Path local, long maxExpansion) {
        return new PullPass(new PullPass.Settings(new CatalogClient(catalog.url(), null, Duration.ofSeconds(30)),
                "feeds/", local, 1, 0, Versions.none(), new Retry(1, Duration.ofMillis(10), Duration.ofMillis(10)),
                maxExpansion, new DecoderMemory(32L << 20, "caravan.receiver.decoder-memory")), Clock.systemUTC());
    }
}
