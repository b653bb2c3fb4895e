package io.caravan.cli;

import io.caravan.fs.Versions;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * {@code --keep-versions}: how long what a command replaces or removes in a local folder stays in
 * {@code <folder>/.caravan/versions} before the next run of a command there removes it.
 */
final class KeepVersionsOption {

    @Option(names = "--keep-versions", paramLabel = "<duration>", converter = Converters.Period.class, defaultValue = "7d",
            description = {"Keep what this replaces in <dir>/.caravan/versions for this long (7d, 12h, 0 deletes at once;"
                    + " default: ${DEFAULT-VALUE})."})
    Duration keep;

    /** The versions area of {@code folder}; versions older than the retention are removed now. */
    Versions in(Path folder) throws IOException {
        Versions versions = Versions.inDestination(folder, keep, Clock.systemUTC());
        versions.cleanup();
        return versions;
    }
}
