package io.caravan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CliRunner;
import org.junit.jupiter.api.Test;

/**
 * The command names of the seeds: {@code upload} is {@code send}, {@code server} is {@code serve},
 * and {@code download}/{@code down} are reserved for the pull side with a clear "not available" (exit 2).
 */
class SeedCommandNamesTest {

    @Test
    void uploadIsSendAndServerIsServe() {
        assertThat(CaravanCli.commandLine().getSubcommands().get("upload").getCommandSpec().name()).isEqualTo("send");
        assertThat(CaravanCli.commandLine().getSubcommands().get("up").getCommandSpec().name()).isEqualTo("send");
        assertThat(CaravanCli.commandLine().getSubcommands().get("server").getCommandSpec().name()).isEqualTo("serve");
        assertThat(CliRunner.run("upload", "--help").exitCode()).isZero();
        assertThat(CliRunner.run("server", "--help").exitCode()).isZero();
    }

    @Test
    void downloadAndDownAreTheGetCommand() {
        for (String name : new String[] {"download", "down", "get"}) {
            CliRunner.Result result = CliRunner.run(name, "--help");
            assertThat(result.exitCode()).as(name).isZero();
        }
        CliRunner.Result unknown = CliRunner.run("down", "backup/www", "./www", "--from", "http://10.0.1.100:8834");
        assertThat(unknown.exitCode()).isEqualTo(CaravanCli.USAGE);
        assertThat(unknown.err()).contains("--from").doesNotContain("Usage:");
    }
}
