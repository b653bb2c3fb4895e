package io.caravan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CliRunner;
import org.junit.jupiter.api.Test;

/** A mistyped option or command gets "did you mean" and a pointer to the help in a few lines, never the whole help. */
class MistypedArgumentsTest {

    @Test
    void aMistypedOptionSuggestsTheRightOne() {
        CliRunner.Result result = CliRunner.run("send", "a.txt", "--chunksize", "1MiB");
        assertThat(result.exitCode()).isEqualTo(CaravanCli.USAGE);
        assertThat(result.err()).contains("--chunksize").containsIgnoringCase("did you mean").contains("--chunk-size")
                .contains("caravan send --help").doesNotContain("Usage:");
        assertThat(result.err().lines().count()).as(result.err()).isLessThanOrEqualTo(4);
    }

    @Test
    void aMistypedCommandSuggestsTheRightOne() {
        CliRunner.Result result = CliRunner.run("sned", "a.txt");
        assertThat(result.exitCode()).isEqualTo(CaravanCli.USAGE);
        assertThat(result.err()).contains("sned").containsIgnoringCase("did you mean").contains("send")
                .contains("caravan --help").doesNotContain("Usage:");
        assertThat(result.err().lines().count()).as(result.err()).isLessThanOrEqualTo(4);
    }

    @Test
    void aMissingParameterIsNamedInAFewLines() {
        CliRunner.Result result = CliRunner.run("send");
        assertThat(result.exitCode()).isEqualTo(CaravanCli.USAGE);
        assertThat(result.err()).contains("<path>").contains("caravan send --help").doesNotContain("Usage:");
        assertThat(result.err().lines().count()).as(result.err()).isLessThanOrEqualTo(4);
    }
}
