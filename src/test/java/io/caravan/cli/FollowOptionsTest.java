package io.caravan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CliRunner;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line of sharing and following: {@code sync} needs exactly one of {@code --to} and
 * {@code --from}, {@code --from} must name a share, and {@code serve --share} takes
 * {@code <name>=<dir>} with an existing folder; each mistake is one message saying what to give.
 */
class FollowOptionsTest {

    @TempDir
    Path tmp;

    @Test
    void syncNeedsExactlyOneDirection() {
        CliRunner.Result neither = CliRunner.run("sync", tmp.toString());
        assertThat(neither.exitCode()).isNotZero();
        assertThat(neither.err()).contains("--to <receiver url>").contains("--from");
        CliRunner.Result both = CliRunner.run("sync", tmp.toString(), "--to", "http://127.0.0.1:1", "--from",
                "http://127.0.0.1:1/shares/site");
        assertThat(both.err()).contains("--to and --from exclude each other");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"-1", "-5"})
    void aNegativeMaxDeleteIsRefusedNotTakenAsNoLimit(String n) {
        CliRunner.Result result = CliRunner.run("sync", tmp.toString(), "--to", "http://127.0.0.1:1", "--max-delete", n, "--once");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("--max-delete").contains("at least 0");
    }

    @Test
    void fromMustNameAShare() {
        CliRunner.Result result = CliRunner.run("sync", "--from", "http://127.0.0.1:1/parcels", tmp.resolve("t").toString());
        assertThat(result.exitCode()).isNotZero();
        assertThat(result.err()).contains("names no share").contains("/shares/<name>");
    }

    @Test
    void shareTakesANameAndAFolder() {
        assertThat(CliRunner.run("serve", "--share", "site").err()).contains("give <name>=<dir>");
        assertThat(CliRunner.run("serve", "--share", "site=" + tmp.resolve("missing")).err()).contains("is not a folder");
    }
}
