package io.caravan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code -v} counts: {@code -v}, {@code -vv} and {@code -v -v} parse on every command that logs, and {@code -q} is the opposite end. */
class VerbosityCountsTest {

    private static int level(String... args) {
        CommandLine.ParseResult parsed = CaravanCli.commandLine().parseArgs(args);
        Object command = parsed.subcommand().commandSpec().userObject();
        Verbosity verbosity = command instanceof SendCommand send ? send.verbosity
                : command instanceof ServeCommand serve ? serve.verbosity : ((RunCommand) command).verbosity;
        return verbosity.level();
    }

    @Test
    void vCountsAndQIsBelowIt() {
        assertThat(level("send", "a.txt")).isZero();
        assertThat(level("send", "a.txt", "-v")).isEqualTo(1);
        assertThat(level("send", "a.txt", "-vv")).isEqualTo(2);
        assertThat(level("send", "a.txt", "-v", "--verbose")).isEqualTo(2);
        assertThat(level("send", "a.txt", "-q")).isEqualTo(-1);
        assertThat(level("serve", "-vv")).isEqualTo(2);
        assertThat(level("run", "-q")).isEqualTo(-1);
    }
}
