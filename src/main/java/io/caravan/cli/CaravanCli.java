package io.caravan.cli;

import io.caravan.CaravanException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code caravan} command. Exit codes: 0 ok, 1 failure, 2 usage. */
@Command(name = "caravan", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Streams files and folders through tar, a codec and SHA-256-verified chunks, and back.",
        subcommands = {RunCommand.class, PackCommand.class, UnpackCommand.class, SendCommand.class, SyncCommand.class, ServeCommand.class, DownloadCommand.class, DemoCommand.class, CommandLine.HelpCommand.class})
public final class CaravanCli {

    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int USAGE = 2;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, also used by tests to run commands in-process. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new CaravanCli());
        cli.setExecutionExceptionHandler(CaravanCli::handle);
        return cli;
    }

    private static int handle(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        PrintWriter err = cli.getErr();
        if (e instanceof IllegalArgumentException) {
            err.println("caravan: " + e.getMessage());
            err.println("Run 'caravan " + cli.getCommandName() + " --help' for usage.");
            return USAGE;
        }
        String message = e instanceof CaravanException || e.getMessage() == null
                ? String.valueOf(e.getMessage()) : e.getMessage();
        err.println("caravan: error: " + message);
        if (System.getenv("CARAVAN_DEBUG") != null) {
            e.printStackTrace(err);
        }
        err.flush();
        return FAILURE;
    }
}
