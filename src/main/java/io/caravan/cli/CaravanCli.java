package io.caravan.cli;

import io.caravan.fs.FsMessages;
import io.caravan.fs.NameRules;
import io.caravan.util.Exhaustion;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code caravan} command. Exit codes: 0 ok, 1 failure, 2 usage, 130/143 stopped by Ctrl-C/SIGTERM. */
@Command(name = "caravan", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Streams files and folders through tar, a codec and SHA-256-verified chunks, and back.",
        subcommands = {RunCommand.class, PackCommand.class, UnpackCommand.class, SendCommand.class, SyncCommand.class, ServeCommand.class,
                DownloadCommand.class, DemoCommand.class, CommandLine.HelpCommand.class})
public final class CaravanCli {

    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int USAGE = 2;
    /** Stopped by Ctrl-C (128 + SIGINT); SIGTERM gives 143. */
    public static final int INTERRUPTED = 130;

    public static void main(String[] args) {
        int exit;
        try {
            exit = commandLine().execute(args);
        } catch (OutOfMemoryError | StackOverflowError e) {
            // one line, not a stack trace: what ran out and what to give the JVM (what was being written is cleaned up)
            System.err.println("caravan: error: " + Exhaustion.what(e) + "; give it " + Exhaustion.remedy(e));
            exit = FAILURE;
        }
        System.exit(exit);
    }

    /** The configured command line, also used by tests to run commands in-process. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new CaravanCli());
        cli.registerConverter(java.nio.file.Path.class, new Converters.NonEmptyPath()); // all commands: they are added by now
        cli.registerConverter(Integer.class, Converters.WholeNumber.ints());
        cli.registerConverter(Integer.TYPE, Converters.WholeNumber.ints());
        cli.registerConverter(Long.class, Converters.WholeNumber.longs());
        cli.registerConverter(Long.TYPE, Converters.WholeNumber.longs());
        cli.setExecutionExceptionHandler(CaravanCli::handle);
        cli.setParameterExceptionHandler(CaravanCli::usageError);
        return cli;
    }

    /** A usage error in a few lines: what is wrong, "did you mean" when a name is close, and where the help is. */
    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cli = e.getCommandLine();
        PrintWriter err = cli.getErr();
        err.println("caravan: " + (unknownCommand(e) ? "unknown command '" + ((CommandLine.UnmatchedArgumentException) e)
                .getUnmatched().get(0) + "'" : e.getMessage()));
        List<String> suggestions = e instanceof CommandLine.UnmatchedArgumentException unmatched ? suggestions(unmatched) : List.of();
        if (!suggestions.isEmpty()) {
            err.println("Did you mean " + String.join(" or ", suggestions) + "?");
        }
        err.println("Run '" + cli.getCommandSpec().qualifiedName() + " --help' for usage.");
        err.flush();
        return USAGE;
    }

    private static boolean unknownCommand(CommandLine.ParameterException e) {
        return e instanceof CommandLine.UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()
                && !unmatched.getUnmatched().get(0).startsWith("-") && !e.getCommandLine().getSubcommands().isEmpty();
    }

    /** Subcommands close to a mistyped one, else picocli's suggestions (options that share the typed prefix). */
    private static List<String> suggestions(CommandLine.UnmatchedArgumentException e) {
        List<String> unmatched = e.getUnmatched();
        Map<String, CommandLine> subcommands = e.getCommandLine().getSubcommands();
        if (!unmatched.isEmpty() && !subcommands.isEmpty() && !unmatched.get(0).startsWith("-")) {
            List<String> close = NameSuggestions.closest(unmatched.get(0), subcommands.keySet());
            if (!close.isEmpty()) {
                return close.stream().map(n -> e.getCommandLine().getCommandSpec().qualifiedName() + " " + n).toList();
            }
        }
        return e.getSuggestions();
    }

    private static int handle(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        PrintWriter err = cli.getErr();
        if (e instanceof IllegalArgumentException) {
            err.println("caravan: " + NameRules.printable(e.getMessage(), Integer.MAX_VALUE));
            err.println("Run 'caravan " + cli.getCommandName() + " --help' for usage.");
            return USAGE;
        }
        // a file's name, or a peer's words, may hold any character: none reaches the terminal as a control
        String message = NameRules.printable(FsMessages.describe(e), Integer.MAX_VALUE);
        err.println("caravan: error: " + message);
        if (System.getenv("CARAVAN_DEBUG") != null) {
            e.printStackTrace(err);
        }
        err.flush();
        return FAILURE;
    }
}
