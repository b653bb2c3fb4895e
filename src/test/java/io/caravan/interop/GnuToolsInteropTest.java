package io.caravan.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CliRunner;
import io.caravan.PackUnpack;
import io.caravan.Shell;
import io.caravan.TestTrees;
import io.caravan.util.TreeSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** GNU tar and the codec command line tools read what Caravan writes, and Caravan reads what they write. */
class GnuToolsInteropTest {

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @CsvSource({"zstd,zstd -d,zstd -q -T0", "gzip,gzip -d,gzip", "bzip2,bzip2 -d,bzip2", "xz,xz -d,xz -T0",
            "lz4,lz4 -d,lz4 -q", "none,cat,cat"})
    void gnuToolsExtractCaravanParts(String codec, String decompress, String ignored) throws Exception {
        requireTools(decompress);
        Path source = TestTrees.fidelityTree(tmp.resolve("src"), "tree");
        PackUnpack.pack(source, tmp.resolve("parts/tree"), codec, 100_000);
        Files.createDirectories(tmp.resolve("gnu"));

        Shell.run(tmp, "cat parts/tree.part* | " + decompress + " | tar -x -C gnu");

        assertThat(TreeSnapshot.of(source).differences(TreeSnapshot.of(tmp.resolve("gnu/tree")))).isEmpty();
        String listing = Shell.run(tmp, "cat parts/tree.part* | " + decompress + " | tar -tv");
        assertThat(listing).contains("link-to-plain -> plain.txt").contains("plain.txt link to tree/hard-link.txt");
    }

    @ParameterizedTest(name = "{0} ({2})")
    @CsvSource({"zstd,zstd -q -T0,posix", "gzip,gzip,gnu", "bzip2,bzip2,posix", "xz,xz -T0,gnu",
            "lz4,lz4 -q,posix", "none,cat,gnu", "zstd,zstd -q,ustar-longnames-as-gnu"})
    void caravanExtractsGnuTarArchives(String codec, String compress, String format) throws Exception {
        requireTools(compress);
        Path source = TestTrees.fidelityTree(tmp.resolve("src"), "tree");
        String tarFormat = format.startsWith("ustar") ? "gnu" : format;
        Shell.run(tmp.resolve("src"), "tar --format=" + tarFormat + " -cf - tree | " + compress + " > ../archive.tar.x");

        CliRunner.Result result = CliRunner.run("unpack", tmp.resolve("archive.tar.x").toString(), tmp.resolve("dest").toString(), "-q");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(TreeSnapshot.of(source).differences(TreeSnapshot.of(tmp.resolve("dest/tree")))).isEmpty();
        assertThat(Files.isSameFile(tmp.resolve("dest/tree/plain.txt"), tmp.resolve("dest/tree/hard-link.txt"))).isTrue();
    }

    private static void requireTools(String pipeline) throws Exception {
        Shell.require("tar");
        Shell.require(pipeline.split(" ")[0]);
    }
}
