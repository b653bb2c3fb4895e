package io.caravan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CliRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Values out of what an option takes are refused in a few lines that name the option and what it takes,
 * with exit code 2, never with a JDK text ("For input string", "port out of range") or a stack trace name;
 * a token is refused without being printed.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a serve that is not refused would run on
class UnclearValuesTest {

    @TempDir
    Path tmp;
    Path file;

    @BeforeEach
    void aFileToSend() throws Exception {
        file = Files.writeString(tmp.resolve("a.txt"), "a");
    }

    @ParameterizedTest
    @ValueSource(strings = {"--chunk-size", "--parallel", "--level"})
    void aNumberTooLargeForItsTypeNamesTheOptionAndTheRange(String option) throws Exception {
        CliRunner.Result result = CliRunner.run("send", file.toString(), "--to", "127.0.0.1:1", option, "99999999999999999999");
        assertThat(result.exitCode()).as(result.err()).isEqualTo(CaravanCli.USAGE);
        assertThat(result.err()).contains(option).contains("at most").doesNotContain("For input string")
                .doesNotContain("is not an int").doesNotContain("overflow");
    }

    @Test
    void aSizeWhoseUnitOverflowsIsTooLarge() throws Exception {
        CliRunner.Result result = CliRunner.run("send", file.toString(), "--to", "127.0.0.1:1", "--chunk-size", "9999999999T");
        assertThat(result.exitCode()).as(result.err()).isEqualTo(CaravanCli.USAGE);
        assertThat(result.err()).contains("--chunk-size").contains("at most").doesNotContain("overflow");
    }

    @Test
    void aPortOutOfRangeInTheUrlNamesTheOptionAndTheRange() throws Exception {
        CliRunner.Result result = CliRunner.run("send", file.toString(), "--to", "http://127.0.0.1:99999");
        assertThat(result.exitCode()).as(result.err()).isEqualTo(CaravanCli.USAGE);
        assertThat(result.err()).contains("--to").contains("1-65535").doesNotContain("port out of range");
    }

    @ParameterizedTest
    @ValueSource(strings = {"serve", "send"})
    void aPortOptionOutOfRangeNamesTheOptionAndTheRange(String command) throws Exception {
        CliRunner.Result result = command.equals("serve")
                ? CliRunner.run("serve", "--port", "70000", "--root", tmp.resolve("inbox").toString())
                : CliRunner.run("send", file.toString(), "--port", "70000");
        assertThat(result.exitCode()).as(result.err()).isEqualTo(CaravanCli.USAGE);
        assertThat(result.err()).contains("--port").contains("1-65535").doesNotContain("port out of range");
    }

    @Test
    void aRootThatIsAFileIsAUsageError() throws Exception {
        Path file = Files.writeString(tmp.resolve("r.bin"), "a");
        CliRunner.Result result = CliRunner.run("serve", "--port", "1", "--root", file.toString());
        assertThat(result.exitCode()).as(result.err()).isEqualTo(CaravanCli.USAGE);
        assertThat(result.err()).contains("--root").contains("not a folder").doesNotContain("Exception");
    }

    @Test
    void aTokenWithALineBreakIsRefusedWithoutPrintingIt() throws Exception {
        CliRunner.Result result = CliRunner.run("send", file.toString(), "--to", "127.0.0.1:1", "--token", "sec\nret");
        assertThat(result.exitCode()).as(result.err()).isEqualTo(CaravanCli.USAGE);
        assertThat(result.err()).contains("token").doesNotContain("sec").doesNotContain("ret\n").doesNotContain("Illegal");
    }

    @Test
    void aShareNameGivenTwiceIsAUsageError() throws Exception {
        Path a = Files.createDirectories(tmp.resolve("A"));
        Path b = Files.createDirectories(tmp.resolve("B"));
        CliRunner.Result result = CliRunner.run("serve", "--port", "1", "--root", tmp.resolve("inbox").toString(),
                "--share", "s=" + a, "--share", "s=" + b);
        assertThat(result.exitCode()).as(result.err()).isEqualTo(CaravanCli.USAGE);
        assertThat(result.err()).contains("--share").contains("'s'").contains("twice");
    }

    @Test
    void aShareNameTheConfigurationGivesTooIsAUsageError() throws Exception {
        Path a = Files.createDirectories(tmp.resolve("A"));
        Path b = Files.createDirectories(tmp.resolve("B"));
        Path config = Files.writeString(tmp.resolve("caravan.properties"), "caravan.shares.s=" + a + "\n");
        CliRunner.Result result = CliRunner.run("serve", "--config", config.toString(), "--port", "1",
                "--root", tmp.resolve("inbox").toString(), "--share", "s=" + b);
        assertThat(result.exitCode()).as(result.err()).isEqualTo(CaravanCli.USAGE);
        assertThat(result.err()).contains("--share").contains("'s'").contains("caravan.shares.s");
    }
}
