package io.caravan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CliRunner;
import io.caravan.receiver.ReceiverFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
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

    /**
     * A number beyond an option's own range, too large for its type or not, is refused (exit 2) in one line that
     * names the option and its range, not the type's limit.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "sync|--workers|99999999999|1-20",
        "sync|--workers|21|1-20",
        "sync|--workers|0|1-20",
        "send|--parallel|99999999999|1-64",
        "send|--parallel|65|1-64",
        "send|--parallel|0|1-64",
        "get|--parallel|99999999999|1-32",
        "get|--parallel|33|1-32",
        "send|--level|99999999999|zstd 1-19",
        "send|--chunk-size|99999999999999999999|1 GiB",
        "send|--chunk-size|2GiB|1 GiB",
        "sync|--max-delete|-1|at least 0",
        "unpack|--max-expansion|-1|at least 0"})
    void aNumberOutOfItsOptionsRangeNamesTheOptionAndItsRange(String command, String option, String value, String range)
            throws Exception {
        CliRunner.Result result = switch (command) {
            case "sync" -> CliRunner.run("sync", tmp.toString(), "--to", "127.0.0.1:1", option, value);
            case "send" -> CliRunner.run("send", file.toString(), "--to", "127.0.0.1:1", option, value);
            case "get" -> CliRunner.run("get", "127.0.0.1:1/parcels/p", tmp.resolve("out").toString(), option, value);
            default -> CliRunner.run("unpack", tmp.resolve("parts/p").toString(), tmp.resolve("out").toString(), option, value);
        };
        assertThat(result.exitCode()).as(result.err()).isEqualTo(CaravanCli.USAGE);
        String first = result.err().lines().findFirst().orElse("");
        assertThat(first).as(result.err()).contains(option).contains(range).contains(value)
                .doesNotContain(String.valueOf(Integer.MAX_VALUE)).doesNotContain(String.valueOf(Long.MAX_VALUE));
        assertThat(result.err().lines().count()).as(result.err()).isLessThanOrEqualTo(2);
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
    @ParameterizedTest
    @ValueSource(strings = {"serve", "run"})
    void anInboxInThePropertiesFileThatIsAFileIsRefusedAtStart(String command) throws Exception {
        Path file = Files.writeString(tmp.resolve("inbox.bin"), "a");
        CliRunner.Result result = startWithInbox(command, file.toString());
        assertThat(result.exitCode()).as(result.err()).isEqualTo(CaravanCli.USAGE);
        assertThat(result.err().lines().findFirst().orElse("")).contains("caravan.receiver.inbox").contains(file.toString())
                .contains("not a folder").contains(tmp.resolve("caravan.properties").toString());
        assertThat(result.err()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"serve", "run"})
    void anInboxInThePropertiesFileBelowAFileIsRefusedAtStart(String command) throws Exception {
        Path file = Files.writeString(tmp.resolve("inbox.bin"), "a");
        CliRunner.Result result = startWithInbox(command, file.resolve("inbox").toString());
        assertThat(result.exitCode()).as(result.err()).isEqualTo(CaravanCli.USAGE);
        assertThat(result.err().lines().findFirst().orElse("")).contains("caravan.receiver.inbox")
                .contains(file.resolve("inbox").toString()).contains("not a folder");
        assertThat(result.err()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    /** A place no one may write, root included: a folder sysfs does not let anyone create. */
    @Test
    void anInboxInThePropertiesFileThatCannotBeWrittenIsRefusedAtStart() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/sys/kernel")), "sysfs");
        String inbox = "/sys/kernel/caravan-inbox";
        CliRunner.Result result = startWithInbox("serve", inbox);
        assertThat(result.exitCode()).as(result.err()).isEqualTo(CaravanCli.USAGE);
        assertThat(result.err().lines().findFirst().orElse("")).contains("caravan.receiver.inbox").contains(inbox)
                .contains("cannot be written");
        assertThat(result.err()).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(Path.of(inbox)).doesNotExist();
    }

    @ParameterizedTest
    @ValueSource(strings = {"serve", "run"})
    void aShareNamedTwiceInThePropertiesFileIsAUsageError(String command) throws Exception {
        Path a = Files.createDirectories(tmp.resolve("A"));
        Path b = Files.createDirectories(tmp.resolve("B"));
        Path config = Files.writeString(tmp.resolve("caravan.properties"),
                "caravan.shares.s = " + a + "\ncaravan.receiver.inbox = " + tmp.resolve("inbox") + "\ncaravan.shares.s = " + b + "\n");
        String port = String.valueOf(ReceiverFixture.freePort());
        CliRunner.Result result = command.equals("serve")
                ? CliRunner.run("serve", "--config", config.toString(), "--port", port)
                : CliRunner.run("run", "--role", "receiver", "--config", config.toString(), "-Dcaravan.receiver.port=" + port);
        assertThat(result.exitCode()).as(result.err()).isEqualTo(CaravanCli.USAGE);
        assertThat(result.err().lines().findFirst().orElse("")).contains(config.toString()).contains("caravan.shares.s")
                .contains("lines 1 and 3");
    }

    private CliRunner.Result startWithInbox(String command, String inbox) throws Exception {
        Path config = Files.writeString(tmp.resolve("caravan.properties"), "caravan.receiver.inbox = " + inbox + "\n");
        String port = String.valueOf(ReceiverFixture.freePort());
        return command.equals("serve")
                ? CliRunner.run("serve", "--config", config.toString(), "--port", port)
                : CliRunner.run("run", "--role", "receiver", "--config", config.toString(), "-Dcaravan.receiver.port=" + port);
    }
}
