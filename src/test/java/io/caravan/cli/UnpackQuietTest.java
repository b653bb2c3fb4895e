package io.caravan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CliRunner;
import io.caravan.LoggedWarnings;
import io.caravan.TestTrees;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code caravan unpack -q} says only warnings, errors and its summary, as the other commands' {@code -q}
 * does: the line about a replaced file kept as a version is information, shown without {@code -q} only.
 */
class UnpackQuietTest {

    @TempDir
    Path tmp;

    @Test
    void quietLogsNoInformation() throws Exception {
        Path dest = tmp.resolve("dest");
        unpackTwice(dest, "-q");
        try (LoggedWarnings logged = new LoggedWarnings(Level.INFO)) {
            CliRunner.Result again = CliRunner.run("unpack", tmp.resolve("out/docs").toString(), dest.toString(), "-q");
            assertThat(again.exitCode()).as(again.err()).isZero();
            assertThat(logged.containing("kept the replaced")).isEmpty();
        }
        assertThat(TestTrees.keptVersions(dest, "docs/a.txt")).hasSize(2);
    }

    @Test
    void withoutQuietTheKeptVersionIsSaid() throws Exception {
        Path dest = tmp.resolve("dest");
        unpackTwice(dest, "-v");
        try (LoggedWarnings logged = new LoggedWarnings(Level.INFO)) {
            CliRunner.Result again = CliRunner.run("unpack", tmp.resolve("out/docs").toString(), dest.toString());
            assertThat(again.exitCode()).as(again.err()).isZero();
            assertThat(logged.containing("kept the replaced 'docs/a.txt'")).hasSize(1);
        }
    }

    /** The line about a replaced top-level file names its version's path as it is (no '//'). */
    @Test
    void theKeptVersionOfATopLevelFileIsNamedAsItIs() throws Exception {
        Path file = tmp.resolve("src/top.txt");
        TestTrees.write(Files.createDirectories(file.getParent()).resolve("top.txt"), "new\n");
        assertThat(CliRunner.run("pack", file.toString(), "--out", tmp.resolve("out/top").toString(), "-q").exitCode()).isZero();
        Path dest = Files.createDirectories(tmp.resolve("dest"));
        TestTrees.write(dest.resolve("top.txt"), "mine\n");
        try (LoggedWarnings logged = new LoggedWarnings(Level.INFO)) {
            CliRunner.Result unpack = CliRunner.run("unpack", tmp.resolve("out/top").toString(), dest.toString());
            assertThat(unpack.exitCode()).as(unpack.err()).isZero();
            assertThat(logged.containing("kept the replaced 'top.txt'")).hasSize(1)
                    .allSatisfy(line -> assertThat(line).doesNotContain("//"));
        }
    }

    @Test
    void quietAndVerboseTogetherAreRefused() throws Exception {
        CliRunner.Result both = CliRunner.run("unpack", tmp.resolve("none").toString(), tmp.resolve("dest").toString(), "-q", "-v");

        assertThat(both.exitCode()).isNotZero();
        assertThat(both.err()).contains("-q (--quiet) and -v (--verbose) exclude each other");
    }

    /** Packs a folder docs with a.txt, unpacks it into {@code dest} over a different a.txt, and changes that one again. */
    private void unpackTwice(Path dest, String verbosity) throws Exception {
        Path source = Files.createDirectories(tmp.resolve("src/docs"));
        TestTrees.write(source.resolve("a.txt"), "new\n");
        assertThat(CliRunner.run("pack", source.toString(), "--out", tmp.resolve("out/docs").toString(), "-q").exitCode()).isZero();
        TestTrees.write(Files.createDirectories(dest.resolve("docs")).resolve("a.txt"), "mine\n");
        CliRunner.Result first = CliRunner.run("unpack", tmp.resolve("out/docs").toString(), dest.toString(), verbosity);
        assertThat(first.exitCode()).as(first.err()).isZero();
        // changed again, so the next unpack replaces it too (the very same file would be left in place, no version kept)
        TestTrees.write(dest.resolve("docs/a.txt"), "mine again\n");
    }
}
