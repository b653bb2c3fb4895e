package io.caravan;

import io.caravan.cli.CaravanCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs the caravan command line in-process and captures its exit code and standard error. */
public final class CliRunner {

    public record Result(int exitCode, String err) {
    }

    private CliRunner() {
    }

    public static Result run(String... args) {
        StringWriter err = new StringWriter();
        CommandLine cli = CaravanCli.commandLine();
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Result(code, err.toString());
    }
}
