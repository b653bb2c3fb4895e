package io.caravan.download;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.TestTrees;
import io.caravan.catalog.CatalogTestAccess;
import io.caravan.fs.Versions;
import io.caravan.progress.ProgressListener;
import io.caravan.receiver.ReceiverFixture;
import io.caravan.sender.Retry;
import io.caravan.unpack.OnConflict;
import io.caravan.util.TreeSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A parcel published again while it is being downloaded: the next chunk request gets 412, the
 * download continues with the new manifest, keeps the chunks it already has whose hashes are in it,
 * and publishes exactly the new version (never a mix of both).
 */
class RepublishDuringDownloadTest {

    @TempDir
    Path tmp;

    @Test
    void continuesWithTheNewManifestAndReusesUnchangedChunks() throws Exception {
        Path source = Files.createDirectories(tmp.resolve("src/site"));
        TestTrees.random(source.resolve("a-large.bin"), 1_000_000, 3);
        TestTrees.write(source.resolve("z-page.html"), "version 1\n");
        try (ReceiverFixture receiver = CatalogTestAccess.receiver(tmp.resolve("inbox"));
             CatalogProxy proxy = new CatalogProxy(receiver.port())) {
            CatalogTestAccess.send(receiver, source, "site", "none", tmp.resolve("state"));
            proxy.beforeChunkRequest(4, () -> {
                TestTrees.write(source.resolve("z-page.html"), "version 2, longer than the first\n");
                CatalogTestAccess.send(receiver, source, "site", "none", tmp.resolve("state"));
            });
            Path local = tmp.resolve("local");
            ParcelDownload.Settings settings = new ParcelDownload.Settings(new CatalogClient(proxy.url(), null, Duration.ofMinutes(1)),
                    "site", local, ParcelDownload.defaultStateDir(local, "site"), 1, OnConflict.MERGE, false, false, 0,
                    Versions.none(),
                    new Retry(2, Duration.ofMillis(100), Duration.ofMillis(100)));

            ParcelDownload.Result result = new ParcelDownload(settings).run(ProgressListener.NONE);

            assertThat(result.republished()).isEqualTo(1);
            assertThat(TreeSnapshot.of(source).differences(TreeSnapshot.of(local.resolve("site")))).isEmpty();
            assertThat(Files.readString(local.resolve("site/z-page.html"))).startsWith("version 2");
            assertThat(result.reusedChunks()).as("chunks of the first manifest kept").isEqualTo(3);
            assertThat(proxy.chunkRequests()).as("chunk requests: 3 + the refused one + the rest of the new manifest")
                    .isEqualTo(3 + 1 + result.chunks() - 3);
            assertThat(local.resolve(".caravan-get-site")).doesNotExist();
        }
    }
}
