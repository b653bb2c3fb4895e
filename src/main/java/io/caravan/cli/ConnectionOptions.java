package io.caravan.cli;

import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** How a sending command reaches a receiver and where it keeps its state: shared by {@code send} and {@code sync}. */
final class ConnectionOptions {

    @Mixin
    ReceiverAccess access;

    @Option(names = "--state-dir", paramLabel = "<dir>", description = "Resume journal and hash cache (default: ~/.caravan/sender).")
    Path stateDir;

    /** The state folder. */
    Path prepare() {
        return stateDir != null ? stateDir : Path.of(System.getProperty("user.home"), ".caravan", "sender");
    }
}
