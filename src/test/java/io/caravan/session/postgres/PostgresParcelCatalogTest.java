package io.caravan.session.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.catalog.ParcelCatalog;
import io.caravan.catalog.PublishedParcel;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link ParcelCatalog} contract on the PostgreSQL catalog that receivers share: generations grow
 * across catalogs (nodes, restarts) and racing records, only the latest record of a name is found, and
 * listing pages by name with prefix and time filters.
 */
class PostgresParcelCatalogTest {

    private final String url = TestDatabase.newDatabase();
    private final List<SessionDatabase> opened = new ArrayList<>();

    private ParcelCatalog node(Clock clock) {
        SessionDatabase db = SessionDatabase.open(url, TestDatabase.USER, "", 10);
        opened.add(db);
        return new PostgresParcelCatalog(db, clock);
    }

    @AfterEach
    void close() {
        opened.forEach(SessionDatabase::close);
    }

    @Test
    void generationsGrowAcrossNodesAndTheLatestRecordIsFound() throws Exception {
        ParcelCatalog a = node(Clock.systemUTC());
        ParcelCatalog b = node(Clock.systemUTC());
        assertThat(a.find("reports/q1")).isEmpty();
        assertThat(a.record("reports/q1", PublishedParcel.FOLDER, 3, 300, "zstd", "aa").generation()).isEqualTo(1);
        PublishedParcel second = b.record("reports/q1", PublishedParcel.FILE, 1, 10, null, "bb");
        assertThat(second.generation()).isEqualTo(2);
        assertThat(a.find("reports/q1")).contains(second);
        assertThat(node(Clock.systemUTC()).find("reports/q1").orElseThrow().generation()).as("after a restart").isEqualTo(2);
    }

    @Test
    void racingRecordsOfOneNameGetDistinctGenerationsAndTheGreatestIsKept() throws Exception {
        ParcelCatalog a = node(Clock.systemUTC());
        ParcelCatalog b = node(Clock.systemUTC());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<PublishedParcel>> records = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                ParcelCatalog catalog = i % 2 == 0 ? a : b;
                long files = i;
                records.add(() -> catalog.record("hot", PublishedParcel.FILE, files, files, null, null));
            }
            Set<Long> generations = new HashSet<>();
            PublishedParcel greatest = null;
            for (Future<PublishedParcel> record : pool.invokeAll(records)) {
                PublishedParcel parcel = record.get();
                generations.add(parcel.generation());
                if (greatest == null || parcel.generation() > greatest.generation()) {
                    greatest = parcel;
                }
            }
            assertThat(generations).hasSize(16);
            assertThat(a.find("hot")).contains(greatest);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void listingPagesByNameWithPrefixAndTime() throws Exception {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        ParcelCatalog early = node(Clock.fixed(t0, ZoneOffset.UTC));
        ParcelCatalog late = node(Clock.fixed(t0.plusSeconds(3600), ZoneOffset.UTC));
        for (String name : List.of("b/2", "a/1", "b/1", "c", "b/3")) {
            (name.equals("b/3") ? late : early).record(name, PublishedParcel.FILE, 1, 1, null, null);
        }
        assertThat(early.list("", null, null, 10)).extracting(PublishedParcel::name).containsExactly("a/1", "b/1", "b/2", "b/3", "c");
        assertThat(early.list("b/", null, null, 2)).extracting(PublishedParcel::name).containsExactly("b/1", "b/2");
        assertThat(early.list("b/", null, "b/2", 2)).extracting(PublishedParcel::name).containsExactly("b/3");
        assertThat(early.list("", t0.plusSeconds(1), null, 10)).extracting(PublishedParcel::name).containsExactly("b/3");
        assertThat(early.list("a%", null, null, 10)).as("a prefix is text, not a pattern").isEmpty();
    }

    /** As the disk catalog's: the name, the folders above it and the records below it, not a name that only starts like it. */
    @Test
    void aChangeRenewsTheNameTheFoldersAboveAndTheRecordsBelowOnly() throws Exception {
        ParcelCatalog catalog = node(Clock.systemUTC());
        for (String name : new String[] {"site", "site/docs", "site/docs/a.txt", "site/docs/\u00e9t\u00e9/b", "site/docs0",
                "site/docs-x", "site/doc", "sited", "other/b"}) {
            catalog.record(name, PublishedParcel.FILE, 1, 1, "zstd", "ab");
        }

        assertThat(catalog.changed("site/docs").stream().map(PublishedParcel::name))
                .containsExactlyInAnyOrder("site", "site/docs", "site/docs/a.txt", "site/docs/\u00e9t\u00e9/b");
        assertThat(catalog.changed("other").stream().map(PublishedParcel::name)).containsExactly("other/b");
        assertThat(catalog.changed("sited").stream().map(PublishedParcel::name)).containsExactly("sited");
        assertThat(catalog.find("site/docs0").orElseThrow().generation()).isEqualTo(1);
        assertThat(catalog.find("site/docs/a.txt").orElseThrow().generation()).isEqualTo(2);
        assertThat(catalog.find("site").orElseThrow().generation()).isEqualTo(2);
    }
}
