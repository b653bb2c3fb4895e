package io.caravan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CliRunner;
import io.caravan.TestTrees;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code caravan demo --dir X} only ever removes what an earlier demo made there: a folder holding
 * anything else is refused, untouched; running the demo twice in its own folder works.
 */
class DemoKeepsUserFilesTest {

    @TempDir
    Path tmp;

    @Test
    void aFolderWithOtherFilesIsRefusedAndLeftAlone() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("home"));
        TestTrees.write(dir.resolve("thesis.txt"), "years of work\n");
        TestTrees.write(Files.createDirectories(dir.resolve("source")).resolve("mine.txt"), "also mine\n");

        CliRunner.Result demo = CliRunner.run("demo", "--dir", dir.toString(), "--size", "64KiB");

        assertThat(demo.exitCode()).isEqualTo(1);
        assertThat(demo.err()).contains(dir.toString()).contains("--dir");
        assertThat(dir.resolve("thesis.txt")).hasContent("years of work");
        assertThat(dir.resolve("source/mine.txt")).hasContent("also mine");
    }

    @Test
    void theDemoRunsTwiceInItsOwnFolder() {
        Path dir = tmp.resolve("demo");
        CliRunner.Result first = CliRunner.run("demo", "--dir", dir.toString(), "--size", "64KiB");
        assertThat(first.exitCode()).as(first.err()).isZero();

        CliRunner.Result second = CliRunner.run("demo", "--dir", dir.toString(), "--size", "64KiB");

        assertThat(second.exitCode()).as(second.err()).isZero();
        assertThat(dir.resolve("restored/source")).isDirectory();
    }
}
