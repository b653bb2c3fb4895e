package io.caravan.cli;

import io.caravan.app.Tls;
import picocli.CommandLine.Option;

/** How a command is let into a receiver: its bearer token and the store that trusts its HTTPS certificate. */
final class ReceiverAccess {

    @Option(names = "--token", paramLabel = "<token>", converter = Converters.Token.class, description = "Bearer token the receiver requires.")
    String token;

    @Option(names = "--truststore", paramLabel = "<file>", description = "Trust the receiver's HTTPS certificate from this store.")
    String truststore;

    @Option(names = "--truststore-password", paramLabel = "<password>", description = "Truststore password.")
    String truststorePassword;

    /** The SSL context that trusts the receiver's certificate from --truststore; null without one (the JDK's default trust). */
    javax.net.ssl.SSLContext trust() {
        return Tls.trust(truststore, truststorePassword);
    }
}
