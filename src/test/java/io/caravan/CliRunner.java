package io.caravan;

import io.caravan.cli.CaravanCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs the caravan command line in-process and captures its exit code and standard error. */
public final class CliRunner {

    public record Result(int exitCode, String err) {
    }

    /** A run's exit code, standard output and standard error. */
    public record Printed(int exitCode, String out, String err) {
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

    /** Like {@link #run}, standard output captured too (this process's {@code System.out}, given back after). */
    public static synchronized Printed printed(String... args) {
        java.io.PrintStream before = System.out;
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            Result result = run(args);
            return new Printed(result.exitCode(), out.toString(java.nio.charset.StandardCharsets.UTF_8), result.err());
        } finally {
            System.setOut(before);
        }
    }
}
