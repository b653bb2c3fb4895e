package io.caravan.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.PackUnpack;
import io.caravan.TestTrees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chunk cache keeps under its size by evicting the least recently used packing, and packing an
 * evicted entry again gives the very same manifest (so its ETag and chunk hashes stay valid); packing
 * never takes the disk below the receiver's free-space floor.
 */
class ChunkCacheTest {

    @TempDir
    Path tmp;

    @Test
    void evictsTheOldestPackingAndPacksItAgainToTheSameBytes() throws Exception {
        Path one = Files.createDirectories(tmp.resolve("src/one"));
        Path two = Files.createDirectories(tmp.resolve("src/two"));
        TestTrees.random(one.resolve("a.bin"), 300_000, 1);
        TestTrees.random(two.resolve("b.bin"), 300_000, 2);
        ChunkCache cache = new ChunkCache(tmp.resolve("cache"), 400_000);

        String first = cache.get("k1", one, "one", PackUnpack.options("none", 64 * 1024), "2026-01-01T00:00:00Z").manifestJson();
        cache.get("k2", two, "two", PackUnpack.options("none", 64 * 1024), "2026-01-01T00:00:00Z");

        assertThat(packings()).containsExactly("k2");
        String again = cache.get("k1", one, "one", PackUnpack.options("none", 64 * 1024), "2026-01-01T00:00:00Z").manifestJson();
        assertThat(again).isEqualTo(first);
        assertThat(packings()).containsExactly("k1");
    }

    /** Packing for a download writes part files: never below the receiver's free-space floor (507, nothing kept). */
    @Test
    void packingStopsAtTheFreeSpaceFloorAndLeavesNothing() throws Exception {
        Path one = Files.createDirectories(tmp.resolve("src/one"));
        TestTrees.random(one.resolve("a.bin"), 300_000, 1);
        TestTrees.random(one.resolve("b.bin"), 300_000, 2);
        long floor = Files.getFileStore(tmp).getUsableSpace() + (1L << 30); // a floor this disk is always below
        ChunkCache cache = new ChunkCache(tmp.resolve("cache"), 400_000, floor);

        assertThatThrownBy(() -> cache.get("k1", one, "one", PackUnpack.options("none", 64 * 1024), "2026-01-01T00:00:00Z"))
                .isInstanceOf(io.caravan.InsufficientStorageException.class)
                .hasMessageContaining("'one'").hasMessageContaining("caravan.receiver.min-free-space");
        assertThat(packings()).isEmpty();

        ChunkCache roomy = new ChunkCache(tmp.resolve("cache"), 400_000, 0);
        assertThat(roomy.get("k1", one, "one", PackUnpack.options("none", 64 * 1024), "2026-01-01T00:00:00Z")
                .manifest().totalChunks()).isGreaterThan(1);
    }

    /**
     * A cache folder removed while the receiver runs (a cleanup job's {@code rm -rf}) is made again at the next
     * packing: the cache holds nothing another copy of the inbox cannot give again. Before, every packing failed
     * in the removed folder, and a parcel's manifest was answered 404 as if nothing were published under its name.
     */
    @Test
    void aCacheFolderRemovedWhileInUseIsMadeAgain() throws Exception {
        Path one = Files.createDirectories(tmp.resolve("src/one"));
        TestTrees.random(one.resolve("a.bin"), 100_000, 1);
        ChunkCache cache = new ChunkCache(tmp.resolve("cache"), 400_000);
        String first = cache.get("k1", one, "one", PackUnpack.options("none", 64 * 1024), "2026-01-01T00:00:00Z").manifestJson();

        try (io.caravan.fs.ConfinedDir parent = io.caravan.fs.ConfinedDir.open(tmp)) {
            parent.deleteTree("cache");
        }

        ChunkCache.Packing again = cache.get("k1", one, "one", PackUnpack.options("none", 64 * 1024), "2026-01-01T00:00:00Z");
        assertThat(again.manifestJson()).isEqualTo(first);
        assertThat(packings()).containsExactly("k1");
        try (java.nio.channels.FileChannel chunk = cache.openChunk(again, 0)) {
            assertThat(chunk.size()).isEqualTo(64 * 1024);
        }
    }

    /** A cache folder replaced by a link while in use is refused as one (409 unsafe_path), nothing written through it. */
    @Test
    void aCacheFolderReplacedByALinkIsRefusedAsOne() throws Exception {
        Path one = Files.createDirectories(tmp.resolve("src/one"));
        TestTrees.random(one.resolve("a.bin"), 100_000, 1);
        ChunkCache cache = new ChunkCache(tmp.resolve("cache"), 400_000);
        cache.get("k1", one, "one", PackUnpack.options("none", 64 * 1024), "2026-01-01T00:00:00Z");
        try (io.caravan.fs.ConfinedDir parent = io.caravan.fs.ConfinedDir.open(tmp)) {
            parent.deleteTree("cache");
        }
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.createSymbolicLink(tmp.resolve("cache"), elsewhere);

        assertThatThrownBy(() -> cache.get("k2", one, "one", PackUnpack.options("none", 64 * 1024), "2026-01-01T00:00:00Z"))
                .isInstanceOf(io.caravan.fs.UnsafePathException.class).hasMessageContaining("link");
        try (Stream<Path> written = Files.list(elsewhere)) {
            assertThat(written).isEmpty();
        }
    }

    private java.util.List<String> packings() throws Exception {
        try (Stream<Path> entries = Files.list(tmp.resolve("cache"))) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
