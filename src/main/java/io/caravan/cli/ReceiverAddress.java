package io.caravan.cli;

import io.caravan.sender.ReceiverClient;
import picocli.CommandLine.Option;

/** Which receiver a command talks to: a URL, or else a host and port reached over plain HTTP. */
final class ReceiverAddress {

    @Option(names = "--to", paramLabel = "<url>", description = "Receiver URL; host:port means http://host:port"
            + " (default: http://<host>:<port>).")
    String to;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Receiver host when --to is not given (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "8834", converter = Converters.Port.class, description = "Receiver port when --to is not given (default: ${DEFAULT-VALUE}).")
    int port;

    /** The receiver's URL: {@code --to} ({@code http://} added to a bare host:port), else {@code http://<host>:<port>}. */
    String url() {
        String url = ReceiverClient.normalize(to != null ? to : host + ":" + port);
        if (to != null) {
            int given;
            try {
                given = java.net.URI.create(url).getPort();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--to '" + to + "' is not a URL: give http://host:port or https://host:port");
            }
            if (given == 0 || given > 65535) {
                throw new IllegalArgumentException("--to '" + to + "': the port must be 1-65535, not " + given);
            }
        }
        return url;
    }
}
