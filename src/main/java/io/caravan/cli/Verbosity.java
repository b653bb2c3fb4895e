package io.caravan.cli;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.config.Configurator;
import picocli.CommandLine.Option;

/**
 * {@code -q} and a counted {@code -v} for the commands that log: level -1 shows warnings and errors
 * only, 0 the usual information, 1 the command's own detail (the files sent, the configuration
 * listing of a service), 2 and more every debug line (each request to the receiver, Camel's internals).
 */
final class Verbosity {

    @Option(names = {"-q", "--quiet"}, description = "Only warnings, errors and the closing summary: no progress, no INFO logs.")
    boolean quiet;

    @Option(names = {"-v", "--verbose"}, description = "More detail; repeat for more (-vv: debug logs).")
    boolean[] verbose = new boolean[0];

    int level() {
        return quiet ? -1 : verbose.length;
    }

    boolean quiet() {
        return level() < 0;
    }

    /** Sets the log levels of this process for the chosen level; {@code -q} with {@code -v} is refused. */
    void applyToLogs() {
        if (quiet && verbose.length > 0) {
            throw new IllegalArgumentException("-q (--quiet) and -v (--verbose) exclude each other: give one of them");
        }
        int level = level();
        if (level < 0) {
            Configurator.setAllLevels(LogManager.ROOT_LOGGER_NAME, Level.WARN);
        } else if (level == 1) {
            Configurator.setLevel("io.caravan.app", Level.DEBUG);
        } else if (level >= 2) {
            Configurator.setAllLevels(LogManager.ROOT_LOGGER_NAME, Level.DEBUG);
        }
    }
}
