package io.caravan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CliRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A command stopped by the file system says what was wrong with which path, in words ("is not a
 * folder", "permission denied"), never a bare path and never a path through {@code /proc/self/fd}.
 */
class FileProblemMessagesTest {

    @TempDir
    Path tmp;

    @Test
    void aDestinationThatIsAFileIsSaidToBeNoFolder() throws Exception {
        Path source = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(source.resolve("a.txt"), "a");
        Path parts = tmp.resolve("parts/site");
        CliRunner.Result packed = CliRunner.run("pack", source.toString(), "--out", parts.toString());
        assertThat(packed.exitCode()).as(packed.err()).isZero();
        Path file = Files.writeString(tmp.resolve("destfile"), "kept");

        CliRunner.Result unpacked = CliRunner.run("unpack", parts.toString(), file.toString());

        assertThat(unpacked.exitCode()).isEqualTo(1);
        assertThat(unpacked.err()).contains("destfile").contains("not a folder").doesNotContain("/proc/self/fd");
        assertThat(file).hasContent("kept");
    }

    @Test
    void getIntoAFileIsSaidToBeNoFolder() throws Exception {
        Path file = Files.writeString(tmp.resolve("destfile"), "kept");

        CliRunner.Result got = CliRunner.run("get", "http://127.0.0.1:9/parcels/x", file.toString());

        assertThat(got.exitCode()).isNotZero();
        assertThat(got.err()).contains("destfile").contains("not a folder").doesNotContain("/proc/self/fd");
        assertThat(file).hasContent("kept");
    }
}
