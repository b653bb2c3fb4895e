package io.caravan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CliRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An empty or blank argument where a name, a URL or a path belongs (an unset shell variable, a typo)
 * is a usage error (exit 2) that says what is wrong, before anything is sent, fetched or written:
 * never a raw Java exception text, and never the current folder taken for it.
 */
class EmptyArgumentsTest {

    private static final String NOWHERE = "127.0.0.1:1"; // nothing listens there: any attempt to connect would retry and fail

    @TempDir
    Path tmp;

    static List<List<String>> arguments() {
        return List.of(
                List.of("get", "", "x", "--to", NOWHERE),
                List.of("get", "  ", "x", "--to", NOWHERE),
                List.of("get", "a//b", "x", "--to", NOWHERE),
                List.of("get", ".", "x", "--to", NOWHERE),
                List.of("get", "http://", "x"),
                List.of("get", "http://" + NOWHERE, "x"),
                List.of("get", "http://" + NOWHERE + "/", "x"),
                List.of("get", "http://" + NOWHERE + "/%zz", "x"),
                List.of("get", "http://" + NOWHERE + "/%20", "x"),
                List.of("get", "https://:8834/backup", "x"),
                List.of("get", "backup", "", "--to", NOWHERE),
                List.of("get", "backup", "x", "--state-dir", "", "--to", NOWHERE),
                List.of("send", "", "--to", NOWHERE),
                List.of("send", " ", "--to", NOWHERE),
                List.of("unpack", "parts", ""));
    }

    @ParameterizedTest
    @MethodSource("arguments")
    void isAUsageErrorThatSaysWhatIsWrong(List<String> args) throws Exception {
        Path before = Path.of("").toAbsolutePath();
        CliRunner.Result result = CliRunner.run(args.stream().map(a -> a.equals("x") ? tmp.resolve("x").toString() : a)
                .toArray(String[]::new));
        assertThat(result.exitCode()).as(result.err()).isEqualTo(CaravanCli.USAGE);
        assertThat(result.err()).as("a message of the product's own")
                .doesNotContain("out of bounds").doesNotContainIgnoringCase("exception")
                .doesNotContain("Expected authority").doesNotContain("Malformed escape").doesNotContain("Illegal");
        assertThat(result.err().lines().count()).as(result.err()).isLessThanOrEqualTo(3);
        assertThat(Files.exists(tmp.resolve("x"))).as("nothing written").isFalse();
        assertThat(Path.of("").toAbsolutePath()).isEqualTo(before);
    }
}
