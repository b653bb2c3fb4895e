package io.caravan.cli;

import io.caravan.app.Tls;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How a sending command reaches a receiver and where it keeps its state: shared by {@code send} and {@code sync}. */
final class ConnectionOptions {

    @Option(names = "--token", paramLabel = "<token>", description = "Bearer token the receiver requires.")
    String token;

    @Option(names = "--truststore", paramLabel = "<file>", description = "Trust the receiver's HTTPS certificate from this store.")
    String truststore;

    @Option(names = "--truststore-password", paramLabel = "<password>", description = "Truststore password.")
    String truststorePassword;

    @Option(names = "--state-dir", paramLabel = "<dir>", description = "Resume journal and hash cache (default: ~/.caravan/sender).")
    Path stateDir;

    /** Applies the trust settings (before the first HTTPS call) and returns the state folder. */
    Path prepare() {
        Tls.trust(truststore, truststorePassword);
        return stateDir != null ? stateDir : Path.of(System.getProperty("user.home"), ".caravan", "sender");
    }
}
