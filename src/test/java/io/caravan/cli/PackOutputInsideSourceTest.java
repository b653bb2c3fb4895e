package io.caravan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CliRunner;
import io.caravan.TestTrees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code caravan pack} refuses an output prefix inside a folder it packs (the parts would pack
 * themselves): before anything is written, with a usage error naming both paths and what to do;
 * the comparison sees through links. Unpacking into a folder below the parts' folder is fine.
 */
class PackOutputInsideSourceTest {

    @TempDir
    Path tmp;

    @Test
    void partsInsideTheSourceAreRefusedBeforeAnythingIsWritten() throws Exception {
        Path src = source();

        String err = refused(src, "pack", src.toString(), "--out", src.resolve("b").toString(), "--chunk-size", "64KiB");

        assertThat(err).contains(src.toString()).contains(src.resolve("b").toString()).contains("outside");
    }

    @Test
    void aZipInsideTheSourceIsRefusedToo() throws Exception {
        Path src = source();

        String err = refused(src, "pack", src.toString(), "--out", src.resolve("deep/site").toString(), "--format", "zip");

        assertThat(err).contains(src.resolve("deep/site").toString()).contains("outside");
    }

    @Test
    void anOutputReachedThroughALinkIntoTheSourceIsRefused() throws Exception {
        Path src = source();
        Path link = Files.createSymbolicLink(tmp.resolve("link"), src);

        String err = refused(src, "pack", src.toString(), "--out", link.resolve("b").toString());

        assertThat(err).contains(src.toString()).contains("outside");
    }

    @Test
    void anOutputBesideTheSourceWithACommonNamePrefixIsFine() throws Exception {
        Path src = source();

        CliRunner.Result result = CliRunner.run("pack", src.toString(), "--out", tmp.resolve("data-out/b").toString(), "-q");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(tmp.resolve("data-out/b.manifest.json")).exists();
    }

    @Test
    void aPrefixNamedLikeTheSourceWritesBesideItAndIsFine() throws Exception {
        Path src = source();

        CliRunner.Result result = CliRunner.run("pack", src.toString(), "--out", src.toString(), "-q");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(tmp.resolve("data.manifest.json")).exists();
    }

    @Test
    void unpackingIntoAFolderBelowThePartsIsFine() throws Exception {
        Path src = source();
        Path parts = tmp.resolve("parts");
        assertThat(CliRunner.run("pack", src.toString(), "--out", parts.resolve("b").toString(), "--chunk-size", "64KiB", "-q")
                .exitCode()).isZero();

        CliRunner.Result result = CliRunner.run("unpack", parts.resolve("b").toString(),
                parts.resolve("restored").toString(), "-q");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(Files.mismatch(parts.resolve("restored/data/f.bin"), src.resolve("f.bin"))).isEqualTo(-1);
    }

    /** Runs the command, expects a usage error and the source folder as it was; returns standard error. */
    private static String refused(Path src, String... args) throws Exception {
        List<String> before = listing(src);
        String[] quiet = java.util.Arrays.copyOf(args, args.length + 1);
        quiet[args.length] = "-q";
        CliRunner.Result result = CliRunner.run(quiet);
        assertThat(result.exitCode()).as(result.err()).isEqualTo(CaravanCli.USAGE);
        assertThat(listing(src)).isEqualTo(before);
        return result.err();
    }

    private Path source() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("data"));
        TestTrees.random(dir.resolve("f.bin"), 1_000_000, 7);
        return dir;
    }

    private static List<String> listing(Path dir) throws Exception {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }
}
