package io.caravan.unpack;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.PackUnpack;
import io.caravan.TestTrees;
import io.caravan.fs.FileTimes;
import io.caravan.pack.Manifest;
import io.caravan.progress.TransferStats;
import io.caravan.util.TreeSnapshot;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Pack then unpack with every codec gives the same tree, entry by entry, links with their own mtimes. */
class RoundTripFidelityTest {

    private static final FileTime LINK_TIME = FileTime.from(Instant.parse("2001-02-03T04:05:06Z"));

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"zstd", "gzip", "bzip2", "xz", "lz4", "none", "auto"})
    void everyCodecRestoresTheTreeEntryByEntry(String codec) throws Exception {
        Path source = TestTrees.fidelityTree(tmp.resolve("src"), "tree");
        Path fifo = TestTrees.addFifo(source);
        FileTimes.setModified(source.resolve("link-to-plain"), LINK_TIME); // the link's own time, as GNU tar keeps it
        TransferStats stats = new TransferStats();
        Manifest manifest = PackUnpack.pack(List.of(source), tmp.resolve("out/tree"),
                PackUnpack.options(codec, 64 * 1024), stats);
        Files.delete(fifo);
        assertThat(stats.warnings()).singleElement().asString().contains("pipe.fifo").contains("FIFO");
        assertThat(manifest.totalChunks()).isGreaterThan(1);
        assertThat(manifest.codec()).as("auto writes a zstd stream").isEqualTo(codec.equals("auto") ? "zstd" : codec);

        UnpackResult result = PackUnpack.unpack(tmp.resolve("out/tree"), tmp.resolve("dest"));

        Path restored = tmp.resolve("dest/tree");
        assertThat(result.published()).containsExactly(restored);
        List<String> differences = TreeSnapshot.of(source).differences(TreeSnapshot.of(restored));
        assertThat(differences).isEmpty();
        assertThat(TreeSnapshot.of(restored).entries()).hasSize(TreeSnapshot.of(source).entries().size())
                .containsKeys("中文 文件.txt", "فارسی.txt", "한국어 파일.md", "sym #%&'() bols.txt", "empty folder/", "locked/");
        assertThat(Files.isSymbolicLink(restored.resolve("link-to-plain"))).isTrue();
        assertThat(Files.getLastModifiedTime(restored.resolve("link-to-plain"), LinkOption.NOFOLLOW_LINKS)).isEqualTo(LINK_TIME);
        assertThat(Files.isSameFile(restored.resolve("hard-link.txt"), restored.resolve("plain.txt"))).isTrue();
        assertThat(Files.list(tmp.resolve("dest")).toList()).containsExactly(restored);
    }
}
