package io.caravan.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /parcels} over a catalog most of whose parcels left the inbox (a consumer that takes what arrives,
 * the usual case): a page costs a bounded number of catalog reads whatever the gaps, and paging by {@code next}
 * still lists every parcel in place once, in order. Before, a page read the whole catalog once more for each
 * parcel it passed over: {@code limit=1} over 100,000 drained parcels read 10^10 records.
 */
class CatalogListingWorkTest {

    @TempDir
    Path tmp;

    /** A real disk catalog that counts the listings asked of it. */
    private static final class Counting implements ParcelCatalog {
        final ParcelCatalog real;
        final AtomicInteger lists = new AtomicInteger();

        Counting(ParcelCatalog real) {
            this.real = real;
        }

        @Override
        public PublishedParcel record(String name, String kind, long files, long bytes, String codec, String sha256)
                throws IOException {
            return real.record(name, kind, files, bytes, codec, sha256);
        }

        @Override
        public List<PublishedParcel> changed(String path) throws IOException {
            return real.changed(path);
        }

        @Override
        public Optional<PublishedParcel> find(String name) throws IOException {
            return real.find(name);
        }

        @Override
        public List<PublishedParcel> list(String prefix, Instant since, String after, int limit) throws IOException {
            lists.incrementAndGet();
            return real.list(prefix, since, after, limit);
        }
    }

    @Test
    void aPageOverDrainedParcelsReadsTheCatalogABoundedNumberOfTimes() throws Exception {
        Path inbox = Files.createDirectories(tmp.resolve("inbox"));
        Counting catalog = new Counting(new DiskParcelCatalog(inbox.resolve(".caravan/catalog"), Clock.systemUTC()));
        List<String> inPlace = List.of("d010", "d300", "d499");
        for (int i = 0; i < 500; i++) {
            String name = String.format("d%03d", i);
            catalog.record(name, "file", 1, 1, "zstd", "ab");
            if (inPlace.contains(name)) {
                Files.writeString(inbox.resolve(name), name);
            }
        }
        CatalogService service = new CatalogService(inbox, catalog, null, 1 << 20);

        List<String> listed = new ArrayList<>();
        String after = null;
        int pages = 0;
        int mostReads = 0;
        do {
            catalog.lists.set(0);
            Map<String, Object> page = service.list(null, null, "1", after);
            mostReads = Math.max(mostReads, catalog.lists.get());
            for (Object parcel : (List<?>) page.get("parcels")) {
                listed.add((String) ((Map<?, ?>) parcel).get("name"));
            }
            after = (String) page.get("next");
            pages++;
        } while (after != null && pages < 100);

        assertThat(listed).isEqualTo(inPlace);
        assertThat(mostReads).as("catalog listings read for one page").isLessThanOrEqualTo(2);
    }
}
