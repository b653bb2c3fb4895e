package io.caravan.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.LoggedWarnings;
import io.caravan.util.Sha256;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DiskParcelCatalog#changed} after each publish: it renews the changed name, the folders above it and the
 * records below it, and reads no other record, so a publish costs the same in a catalog of a hundred thousand
 * parcels as in an empty one (it listed every record before: a drop folder of 100,000 files slowed from 30 to 10
 * parcels a second). A catalog written before the records below a name were noted is noted once, at its first use.
 */
class DiskCatalogChangesTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-05T10:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path tmp;

    private Path catalogDir() {
        return tmp.resolve("inbox/.caravan/catalog");
    }

    private static String record(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        return Sha256.of(bytes, 0, bytes.length) + ".json";
    }

    @Test
    void aChangeRenewsTheNameTheFoldersAboveAndTheRecordsBelowOnly() throws Exception {
        DiskParcelCatalog catalog = new DiskParcelCatalog(catalogDir(), CLOCK);
        for (String name : new String[] {"site", "site/docs", "site/docs/a.txt", "sited", "other/b"}) {
            catalog.record(name, "file", 1, 1, "zstd", "ab");
        }

        assertThat(catalog.changed("site/docs").stream().map(PublishedParcel::name))
                .containsExactlyInAnyOrder("site", "site/docs", "site/docs/a.txt");
        assertThat(catalog.changed("other").stream().map(PublishedParcel::name)).containsExactly("other/b");
        assertThat(catalog.changed("sited").stream().map(PublishedParcel::name)).containsExactly("sited");
        assertThat(catalog.find("site/docs/a.txt")).get().extracting(PublishedParcel::generation).isEqualTo(2L);
        assertThat(catalog.find("other/b")).get().extracting(PublishedParcel::generation).isEqualTo(2L);
    }

    @Test
    void aChangeOfANameWithNothingBelowItReadsNoOtherRecord() throws Exception {
        DiskParcelCatalog catalog = new DiskParcelCatalog(catalogDir(), CLOCK);
        catalog.record("first", "file", 1, 1, "zstd", "ab");
        Path parcels = catalogDir().resolve("parcels");
        // a record no change of "flat" has to read: reading it would say so in a warning
        Files.createSymbolicLink(parcels.resolve(record("elsewhere/unrelated")), tmp.resolve("nowhere.json"));

        try (LoggedWarnings warnings = new LoggedWarnings()) {
            assertThat(catalog.changed("flat")).isEmpty();
            catalog.record("flat", "file", 1, 1, "zstd", "ab");
            assertThat(warnings.containing("not taken as a record")).isEmpty();
        }
    }

    @Test
    void aCatalogWrittenBeforeItsNestingWasNotedIsNotedAtItsFirstUse() throws Exception {
        new DiskParcelCatalog(catalogDir(), CLOCK).record("site/docs/a.txt", "file", 1, 1, "zstd", "ab");
        try (var entries = Files.list(catalogDir())) {
            for (Path entry : entries.filter(e -> !e.getFileName().toString().equals("parcels")).toList()) {
                io.caravan.unpack.Staging.deleteTree(entry); // as a catalog of an earlier release holds only its records
            }
        }
        Files.delete(catalogDir().resolve("parcels/nested.complete"));
        Files.writeString(catalogDir().resolve("parcels/" + "0".repeat(64) + ".json"), "{damaged"); // passed over

        DiskParcelCatalog reopened = new DiskParcelCatalog(catalogDir(), CLOCK);

        assertThat(reopened.changed("site").stream().map(PublishedParcel::name)).containsExactly("site/docs/a.txt");
        assertThat(reopened.find("site/docs/a.txt").orElseThrow().generation()).as("renewed").isEqualTo(2L);
    }

    /** The listing's order and its cursor are the names' code points (their UTF-8 bytes), as the PostgreSQL catalog's. */
    @Test
    void theListingIsInTheOrderOfTheNamesBytes() throws Exception {
        DiskParcelCatalog catalog = new DiskParcelCatalog(catalogDir(), CLOCK);
        String fullWidth = "\uff21\uff22\uff23.txt"; // U+FF21: bytes EF BC A1
        String emoji = "\ud83d\ude00x"; // U+1F600: bytes F0 9F 98 80
        for (String name : new String[] {emoji, fullWidth, "a"}) {
            catalog.record(name, "file", 1, 1, "zstd", "ab");
        }

        assertThat(catalog.list("", null, null, 10).stream().map(PublishedParcel::name)).containsExactly("a", fullWidth, emoji);
        assertThat(catalog.list("", null, fullWidth, 10).stream().map(PublishedParcel::name)).containsExactly(emoji);
        assertThat(catalog.list("", null, null, 2).stream().map(PublishedParcel::name)).containsExactly("a", fullWidth);
    }
}
