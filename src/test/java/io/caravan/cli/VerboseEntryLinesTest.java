package io.caravan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CliRunner;
import io.caravan.TestTrees;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code -v} on pack and unpack names each file as it is handled ({@code name (size)}), as {@code tar -v} does and
 * as {@code send -v} does; without it, no such line.
 */
class VerboseEntryLinesTest {

    @TempDir
    Path tmp;

    @Test
    void verbosePackAndUnpackNameEachFile() throws Exception {
        Path source = Files.createDirectories(tmp.resolve("src/docs/deep"));
        TestTrees.write(source.resolve("a.txt"), "alpha\n");
        TestTrees.write(source.getParent().resolve("b.txt"), "bravo!\n");

        String pack = stdout("pack", tmp.resolve("src/docs").toString(), "--out", tmp.resolve("out/docs").toString(), "-v");
        assertThat(pack).contains("docs/deep/a.txt (6 B)", "docs/b.txt (7 B)");
        String unpack = stdout("unpack", tmp.resolve("out/docs").toString(), tmp.resolve("dest").toString(), "-v");
        assertThat(unpack).contains("docs/deep/a.txt (6 B)", "docs/b.txt (7 B)");

        String plain = stdout("unpack", tmp.resolve("out/docs").toString(), tmp.resolve("dest2").toString());
        assertThat(plain).doesNotContain("docs/deep/a.txt (6 B)");
    }

    /** What the command printed on standard output (it exits 0). */
    static String stdout(String... args) {
        CliRunner.Printed printed = CliRunner.printed(args);
        assertThat(printed.exitCode()).as(printed.err()).isZero();
        return printed.out();
    }
}
