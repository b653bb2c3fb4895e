package io.caravan.app;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The one place that reads and validates {@code caravan.role} and {@code caravan.sender.transport}
 * and decides what a process runs: the route files {@code caravan run} loads and the beans
 * {@link CaravanConfiguration} builds. A value that is not allowed is refused before anything is built.
 * A process that runs no receiver serves the console on its own port ({@code console}) unless
 * {@code caravan.console.enabled} is false; a receiver serves it itself.
 */
public record RoleSettings(Role role, String transport, boolean pull, boolean sync, boolean console) {

    /** The transports a sender ships over; each has its route file {@code ship-<transport>}. */
    public static final Set<String> TRANSPORTS = Set.of("http", "file");

    public RoleSettings {
        if (!TRANSPORTS.contains(transport)) {
            throw new IllegalArgumentException("caravan.sender.transport (--transport) is '" + transport
                    + "': use one of http, file");
        }
    }

    /** With the console on (its default). */
    public RoleSettings(Role role, String transport, boolean pull, boolean sync) {
        this(role, transport, pull, sync, true);
    }

    /** A property as configured, or the fallback when it is not set. */
    @FunctionalInterface
    public interface Properties {
        String get(String key, String fallback) throws IOException;
    }

    /** Reads and validates the role, the transport, whether pull mode and mirroring are configured and whether the console is on. */
    public static RoleSettings read(Properties properties) throws IOException {
        return new RoleSettings(Role.parse(properties.get("caravan.role", "both")),
                properties.get("caravan.sender.transport", "http"),
                !properties.get("caravan.pull.from", "").isEmpty(),
                !properties.get("caravan.sync.dir", "").isEmpty(),
                Boolean.parseBoolean(properties.get("caravan.console.enabled", "true").trim()));
    }

    /** Whether this process serves the console on its own port (routes/console.camel.yaml): it runs no receiver. */
    public boolean ownConsole() {
        return console && !role.receives();
    }

    /** The route files this role runs, in loading order. */
    public List<String> routes() {
        List<String> routes = new ArrayList<>();
        if (role.receives()) {
            routes.add("receiver");
            if (transport.equals("file")) {
                routes.add("parts-pickup");
            }
            if (pull) {
                routes.add("pull");
            }
        }
        if (role.sends()) {
            routes.add("outbox");
            routes.add("ship-" + transport);
            if (sync) {
                routes.add("sync");
            }
        }
        if (ownConsole()) {
            routes.add("console");
        }
        return routes;
    }
}
