package io.caravan.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.PackUnpack;
import io.caravan.TestTrees;
import io.caravan.pack.PartFiles;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chunk cache ({@code <inbox>/.caravan/catalog/cache}) never packs into, serves from, or evicts
 * through a link a local user plants: a link as the cache folder is refused when the cache opens
 * (nothing deleted or written where it points), a link as a packing is removed as a link and the
 * parcel packed anew, its target untouched, and a link as a part file is never served.
 */
class ChunkCacheLinksTest {

    private Path cacheDir;
    private Path victim;
    private Path source;

    @BeforeEach
    void folders(@TempDir Path tmp) throws Exception {
        cacheDir = tmp.resolve("inbox/.caravan/catalog/cache");
        victim = Files.createDirectories(tmp.resolve("victim"));
        source = Files.createDirectories(tmp.resolve("src/one"));
        TestTrees.random(source.resolve("a.bin"), 300_000, 1);
    }

    @Test
    void aLinkAsTheCacheFolderIsRefusedAndNothingThereIsDeletedOrWritten() throws Exception {
        Files.writeString(victim.resolve("report.tmp-1"), "precious\n");
        Files.createDirectories(victim.resolve("photos"));
        TestTrees.random(victim.resolve("photos/big.bin"), 500_000, 3);
        Files.createDirectories(cacheDir.getParent());
        Files.createSymbolicLink(cacheDir, victim);

        assertThatThrownBy(() -> new ChunkCache(cacheDir, 400_000).get("k1", source, "one",
                PackUnpack.options("none", 64 * 1024), "2026-01-01T00:00:00Z"))
                .hasMessageContaining("cache").hasMessageContaining("symbolic link");

        try (var listed = Files.list(victim)) {
            assertThat(listed).containsExactlyInAnyOrder(victim.resolve("report.tmp-1"), victim.resolve("photos"));
        }
        assertThat(victim.resolve("photos/big.bin")).hasSize(500_000);
    }

    @Test
    void aLinkAsAPackingIsReplacedNotServedFrom() throws Exception {
        ChunkCache cache = new ChunkCache(cacheDir, 1 << 30);
        String fresh = cache.get("k0", source, "one", PackUnpack.options("none", 64 * 1024), "2026-01-01T00:00:00Z")
                .manifestJson();
        Files.writeString(victim.resolve("p" + PartFiles.MANIFEST_SUFFIX), fresh);
        FileTime before = FileTime.fromMillis(1_700_000_000_000L);
        Files.setLastModifiedTime(victim, before);
        Files.createSymbolicLink(cacheDir.resolve("k1"), victim);

        ChunkCache.Packing packing = cache.get("k1", source, "one", PackUnpack.options("none", 64 * 1024),
                "2026-01-01T00:00:00Z");

        assertThat(Files.isSymbolicLink(cacheDir.resolve("k1"))).isFalse();
        assertThat(Files.isDirectory(cacheDir.resolve("k1"), LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(packing.chunk(0).toRealPath()).startsWith(cacheDir.resolve("k1").toRealPath());
        assertThat(Files.getLastModifiedTime(victim)).isEqualTo(before);
    }

    @Test
    void aLinkAsAPartFileIsNotServed() throws Exception {
        ChunkCache cache = new ChunkCache(cacheDir, 1 << 30);
        ChunkCache.Packing packing = cache.get("k1", source, "one", PackUnpack.options("none", 64 * 1024),
                "2026-01-01T00:00:00Z");
        Path secret = victim.resolve("secret.txt");
        Files.writeString(secret, "not for downloads\n");
        Path part = cacheDir.resolve("k1").resolve(packing.chunk(0).getFileName());
        Files.delete(part);
        Files.createSymbolicLink(part, secret);

        assertThatThrownBy(() -> cache.openChunk(packing, 0).close()).hasMessageContaining("symbolic link");
    }
}
