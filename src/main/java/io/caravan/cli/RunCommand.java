package io.caravan.cli;

import io.caravan.app.CaravanMain;
import io.caravan.app.RoleSettings;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code caravan run}: the routes in routes/ for the configured role, until stopped. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs Caravan as a service with the routes in routes/ and application.properties."
                + " By default sender and receiver run in one process on loopback: drop a file or folder into"
                + " data/outbox and it appears, verified, in data/inbox. Split the roles to run the two sides"
                + " on different machines.", ""},
        footer = {"", "Any property can be set with -D or an environment variable, e.g.",
                "  caravan run --role receiver -Dcaravan.receiver.host=0.0.0.0 -Dcaravan.receiver.token=SECRET",
                "  CARAVAN_SENDER_URL=http://inbox.example.com:8834 CARAVAN_SENDER_TOKEN=SECRET caravan run --role sender"})
final class RunCommand implements Callable<Integer> {

    @Option(names = "--role", paramLabel = "<role>", description = "sender, receiver or both (default: caravan.role, both).")
    String role;

    @Option(names = "--transport", paramLabel = "<transport>", description = "http or file (default: caravan.sender.transport, http).")
    String transport;

    @Mixin
    ConfigFile config;

    @Option(names = "--insecure", description = "Allow listening on an address other machines can reach without a token:"
            + " the receiver's (caravan.receiver.allow-anonymous=true) and, with role sender, the console's"
            + " (caravan.console.allow-anonymous=true).")
    boolean insecure;

    @Option(names = "-D", paramLabel = "<key=value>", description = "Set a property (overrides the properties files).")
    Map<String, String> properties = new LinkedHashMap<>();

    @Mixin
    Verbosity verbosity;

    @Override
    public Integer call() throws Exception {
        verbosity.applyToLogs();
        Map<String, String> overrides = new LinkedHashMap<>(properties);
        if (role != null) {
            overrides.put("caravan.role", role);
        }
        if (transport != null) {
            overrides.put("caravan.sender.transport", transport);
        }
        if (insecure) {
            overrides.put("caravan.receiver.allow-anonymous", "true");
            overrides.put("caravan.console.allow-anonymous", "true");
        }
        List<String> routes = RoleSettings.read((key, fallback) -> CaravanMain.property(key, overrides, config.path, fallback)).routes();
        Interruptions.installExiting("stopping; parcels in flight stay in the outbox and resume from the chunks the"
                + " receiver holds at the next start", Duration.ofSeconds(10));
        CaravanMain.run(routes, overrides, config.path);
        return CaravanCli.OK;
    }
}
