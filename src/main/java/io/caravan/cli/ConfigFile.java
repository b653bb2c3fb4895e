package io.caravan.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The properties file a service command starts from: only the keys it sets change, every other keeps its packaged default. */
final class ConfigFile {

    @Option(names = "--config", paramLabel = "<file>", description = "Properties file with the keys to change"
            + " (default: ./application.properties if present); every other key keeps its packaged default.")
    Path path;
}
