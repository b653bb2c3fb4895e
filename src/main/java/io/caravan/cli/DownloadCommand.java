package io.caravan.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code caravan download|down}: the names are reserved for fetching from a receiver (the pull side),
 * which this version does not have; it says so and exits with the usage code (2).
 */
@Command(name = "download", aliases = "down", mixinStandardHelpOptions = true,
        description = "Reserved for fetching files from a receiver (the pull side): not available in this version.")
final class DownloadCommand implements Callable<Integer> {

    @Unmatched
    List<String> arguments;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("caravan " + spec.name() + ": not available in this version: files cannot be"
                + " pulled from a receiver yet. Push them from the machine that holds them instead, with 'caravan serve'"
                + " running here: caravan send <path> [remote-name] --to http://<this machine>:8834");
        return CaravanCli.USAGE;
    }
}
