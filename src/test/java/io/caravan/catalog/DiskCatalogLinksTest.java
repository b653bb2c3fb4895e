package io.caravan.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.util.Sha256;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The catalog's records ({@code <inbox>/.caravan/catalog/parcels/<sha>.json}) are never read or written
 * through a link a local user plants: a link as a record or as its temporary file is replaced as a link
 * (its target untouched, its content not taken as a record), and a link as the catalog folder is refused,
 * nothing written where it points.
 */
class DiskCatalogLinksTest {

    private static final String PRECIOUS = "precious line\n";
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-05T10:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path tmp;
    private Path catalogDir;
    private Path parcels;
    private Path victim;

    @BeforeEach
    void folders() throws Exception {
        catalogDir = tmp.resolve("inbox/.caravan/catalog");
        parcels = catalogDir.resolve("parcels");
        victim = Files.createDirectories(tmp.resolve("victim"));
        Files.writeString(victim.resolve("notes.txt"), PRECIOUS);
    }

    private static String record(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        return Sha256.of(bytes, 0, bytes.length) + ".json";
    }

    @Test
    void aLinkAsTheTemporaryFileIsNotWrittenThrough() throws Exception {
        DiskParcelCatalog catalog = new DiskParcelCatalog(catalogDir, CLOCK);
        Files.createDirectories(parcels);
        Files.createSymbolicLink(parcels.resolve(record("feeds/a") + ".tmp"), victim.resolve("notes.txt"));

        catalog.record("feeds/a", "file", 1, 5, "zstd", "ab");

        assertThat(Files.readString(victim.resolve("notes.txt"))).isEqualTo(PRECIOUS);
        assertThat(catalog.find("feeds/a")).get().extracting(PublishedParcel::generation).isEqualTo(1L);
    }

    @Test
    void aLinkAsARecordIsNotTakenAsOneAndIsReplaced() throws Exception {
        DiskParcelCatalog catalog = new DiskParcelCatalog(catalogDir, CLOCK);
        Files.createDirectories(parcels);
        Path elsewhere = victim.resolve("record.json");
        String forged = "{\"name\":\"feeds/a\",\"kind\":\"file\",\"files\":1,\"bytes\":5,\"published_at\":"
                + "\"2026-01-01T00:00:00Z\",\"codec\":\"zstd\",\"generation\":41,\"sha256\":\"ab\"}";
        Files.writeString(elsewhere, forged);
        Files.createSymbolicLink(parcels.resolve(record("feeds/a")), elsewhere);

        assertThat(catalog.find("feeds/a")).isEmpty();
        assertThat(catalog.list("feeds/", null, null, 10)).isEmpty();
        assertThat(catalog.record("feeds/a", "file", 1, 5, "zstd", "ab").generation()).isEqualTo(1L);

        assertThat(Files.readString(elsewhere)).isEqualTo(forged);
        assertThat(Files.isSymbolicLink(parcels.resolve(record("feeds/a")))).isFalse();
    }

    @Test
    void aLinkAsTheCatalogFolderIsRefused() throws Exception {
        Files.createDirectories(catalogDir.getParent());
        Files.createSymbolicLink(catalogDir, victim);
        DiskParcelCatalog catalog = new DiskParcelCatalog(catalogDir, CLOCK);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> catalog.record("feeds/a", "file", 1, 5, "zstd", "ab"))
                .hasMessageContaining("catalog").hasMessageContaining("symbolic link");

        try (var listed = Files.list(victim)) {
            assertThat(listed).containsExactly(victim.resolve("notes.txt"));
        }
    }
}
