package io.caravan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CliRunner;
import io.caravan.TestTrees;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code caravan pack} applies the name rules {@code caravan unpack} and a receiver apply: a source holding
 * a name they would refuse (control characters, a reserved name, a path deeper than 256 parts) is refused
 * before anything is written, naming it, as {@code caravan send} of that folder fails; never a part set
 * that packs with exit 0 and cannot be restored.
 */
class PackRefusesUnrestorableNamesTest {

    @TempDir
    Path tmp;

    private void assertRefused(Path source, String format, String... shown) {
        CliRunner.Result pack = CliRunner.run("pack", source.toString(), "--out", tmp.resolve("out/p").toString(),
                "--format", format, "-q");

        assertThat(pack.exitCode()).as(pack.err()).isEqualTo(1);
        assertThat(pack.err()).contains("cannot pack").contains("nothing was written");
        for (String part : shown) {
            assertThat(pack.err()).contains(part);
        }
        assertThat(tmp.resolve("out")).as("no part, manifest or zip written").doesNotExist();
    }

    @ParameterizedTest
    @ValueSource(strings = {"parts", "zip"})
    void aNameWithAControlCharacterIsRefused(String format) throws Exception {
        Path source = Files.createDirectories(tmp.resolve("src"));
        TestTrees.write(source.resolve("ok.txt"), "fine");
        TestTrees.write(source.resolve("new\nline.txt"), "important");

        assertRefused(source, format, "src/new\\u000aline.txt", "control characters (here U+000A)");
    }

    @Test
    void aTreeDeeperThanTheNameRulesAllowIsRefused() throws Exception {
        Path deepest = Files.createDirectories(tmp.resolve("src/" + "d/".repeat(300)));
        TestTrees.write(deepest.resolve("f"), "deep");

        assertRefused(tmp.resolve("src"), "parts", "more than the 256 parts");
    }

    @Test
    void aReservedNameIsRefused() throws Exception {
        Path source = Files.createDirectories(tmp.resolve("src/.caravan-x"));
        TestTrees.write(source.resolve("a"), "a");

        assertRefused(tmp.resolve("src"), "parts", "src/.caravan-x", "reserved name");
    }
}
