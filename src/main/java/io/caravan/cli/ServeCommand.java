package io.caravan.cli;

import io.caravan.app.CaravanMain;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code caravan serve|server}: the receiver's HTTP API and session cleanup, until stopped. */
@Command(name = "serve", aliases = "server", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs the receiver: the HTTP upload API on camel-netty-http, publishing"
                + " finished parcels into the inbox, with Quartz cleanup of expired sessions. Settings come from"
                + " application.properties (caravan.receiver.*); flags override them.", ""})
final class ServeCommand implements Callable<Integer> {

    @Mixin
    ConfigFile config;

    @Option(names = "--host", paramLabel = "<host>", description = "Address to listen on (default: 127.0.0.1).")
    String host;

    @Option(names = "--port", paramLabel = "<port>", converter = Converters.Port.class, description = "Port (default: 8834).")
    Integer port;

    @Option(names = "--root", paramLabel = "<dir>", description = "Inbox: where parcels are published (default: data/inbox).")
    Path root;

    @Option(names = "--session-ttl", paramLabel = "<duration>", description = "Session lifetime, renewed as chunks arrive (a session lives at least half of it after its last chunk), e.g. 3d, 12h (default: 3d).")
    String ttl;

    @Option(names = "--token", paramLabel = "<token>", converter = Converters.Token.class, description = "Require 'Authorization: Bearer <token>'.")
    String token;

    @Option(names = "--insecure", description = "Allow listening on an address other machines can reach without a token"
            + " (anyone who reaches the port can then write into the inbox).")
    boolean insecure;

    @Option(names = "--tls-keystore", paramLabel = "<file>", description = "Serve HTTPS with this keystore (PKCS12, or .jks).")
    Path tlsKeystore;

    @Option(names = "--tls-password", paramLabel = "<password>", description = "Keystore password.")
    String tlsPassword;

    @Option(names = "--share", paramLabel = "<name>=<dir>", description = "Share a folder with followers (caravan sync --from"
            + " http://host:port/shares/<name> <dir>); repeatable. Same as caravan.shares.<name>=<dir>.")
    List<String> shares;

    @Mixin
    Verbosity verbosity;

    @Override
    public Integer call() throws Exception {
        verbosity.applyToLogs();
        Map<String, String> overrides = new LinkedHashMap<>();
        overrides.put("caravan.role", "receiver");
        if (host != null) {
            overrides.put("caravan.receiver.host", host);
        }
        if (port != null) {
            overrides.put("caravan.receiver.port", String.valueOf(port));
        }
        if (root != null) {
            if (java.nio.file.Files.exists(root) && !java.nio.file.Files.isDirectory(root)) {
                throw new IllegalArgumentException("--root " + root + " is not a folder: the inbox must be a folder"
                        + " (one that does not exist yet is created)");
            }
            overrides.put("caravan.receiver.inbox", root.toString());
        }
        if (ttl != null) {
            overrides.put("caravan.receiver.session-ttl", ttl);
        }
        if (token != null) {
            overrides.put("caravan.receiver.token", token);
        }
        if (insecure) {
            overrides.put("caravan.receiver.allow-anonymous", "true");
        }
        if (tlsKeystore != null) {
            overrides.put("caravan.receiver.tls-keystore", tlsKeystore.toString());
            overrides.put("caravan.receiver.tls-password", tlsPassword == null ? "" : tlsPassword);
        }
        for (String share : shares == null ? List.<String>of() : shares) {
            int eq = share.indexOf('=');
            if (eq <= 0 || eq == share.length() - 1) {
                throw new IllegalArgumentException("--share '" + share + "': give <name>=<dir>, e.g. --share site=/srv/site");
            }
            Path folder = Path.of(share.substring(eq + 1));
            if (!java.nio.file.Files.isDirectory(folder)) {
                throw new IllegalArgumentException("--share '" + share + "': " + folder + " is not a folder");
            }
            String key = "caravan.shares." + share.substring(0, eq);
            if (overrides.containsKey(key)) {
                throw new IllegalArgumentException("--share: the share name '" + share.substring(0, eq) + "' is given twice"
                        + " (" + overrides.get(key) + " and " + folder + "): a name shares one folder");
            }
            String configured = CaravanMain.property(key, Map.of(), config.path, null);
            if (configured != null && !Path.of(configured).toAbsolutePath().normalize().equals(folder.toAbsolutePath().normalize())) {
                throw new IllegalArgumentException("--share: the share name '" + share.substring(0, eq) + "' is given twice: "
                        + key + " is " + configured + " in the configuration and --share names " + folder
                        + ": a name shares one folder");
            }
            overrides.put(key, folder.toAbsolutePath().normalize().toString());
        }
        Interruptions.installExiting("stopping the receiver; uploads in flight are asked to retry later and resume"
                + " from the chunks it holds when it is back", Duration.ofSeconds(10));
        CaravanMain.run(List.of("receiver"), overrides, config.path);
        return CaravanCli.OK;
    }
}
