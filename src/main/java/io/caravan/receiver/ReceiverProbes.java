package io.caravan.receiver;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.camel.Exchange;

/**
 * {@code GET /health} and {@code GET /metrics}, for monitoring. Health says only whether the state
 * folder is usable, and needs no token; the metrics need the token like every other request.
 */
public final class ReceiverProbes {

    private final Path stateDir;
    private final PrometheusMeterRegistry registry;
    private final BearerToken token;
    private final BooleanSupplier database;

    public ReceiverProbes(Path stateDir, PrometheusMeterRegistry registry, BearerToken token) {
        this(stateDir, registry, token, null);
    }

    /** With {@code database} (null: none), whether the database that holds the sessions answers. */
    public ReceiverProbes(Path stateDir, PrometheusMeterRegistry registry, BearerToken token, BooleanSupplier database) {
        this.stateDir = stateDir;
        this.registry = registry;
        this.token = token;
        this.database = database;
    }

    /**
     * {@code {"status":"UP"}}, or 503 {@code {"status":"DOWN"}} when the state folder is missing, not a writable
     * folder, or a link; with a database, also {@code "database":"UP"} or {@code "DOWN"} (503 when down).
     */
    public void health(Exchange exchange) {
        boolean up = usableFolder(stateDir);
        if (database == null) {
            ErrorAnswers.json(exchange, up ? 200 : 503, Map.of("status", up ? "UP" : "DOWN"));
            return;
        }
        boolean reachable = database.getAsBoolean();
        up &= reachable;
        ErrorAnswers.json(exchange, up ? 200 : 503, Map.of("status", up ? "UP" : "DOWN", "database", reachable ? "UP" : "DOWN"));
    }

    private static boolean usableFolder(Path dir) {
        try {
            BasicFileAttributes attrs = Files.readAttributes(dir, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return attrs.isDirectory() && Files.isWritable(dir) && Files.isExecutable(dir);
        } catch (IOException e) {
            return false;
        }
    }

    /** The meters in the Prometheus text format. */
    public void metrics(Exchange exchange) {
        token.require(exchange.getMessage().getHeader("Authorization", String.class));
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        exchange.getMessage().setBody(registry.scrape());
    }
}
