package io.caravan.receiver;

import io.caravan.util.FileDescriptors;
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
 * folder is usable (and, when they are nearly exhausted, that file descriptors are), and needs no token; the metrics need the token like every other request.
 */
public final class ReceiverProbes {

    private final Path stateDir;
    private final PrometheusMeterRegistry registry;
    private final BearerToken token;
    private final BooleanSupplier database;
    /** A folder of the session store removed while the receiver ran, or empty; null: not asked. */
    private java.util.function.Supplier<java.util.Optional<Path>> removedFolder;
    /** The shares whose scans fail, by name with the reason; null: no shares served. */
    private java.util.function.Supplier<Map<String, String>> failingShares;

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
     * Reports the shared folders too: {@code "shares":"UP"}, or {@code "DOWN"} with {@code failing_shares}
     * (name → reason) while a share's scans fail. A failing share leaves the receiver UP (uploads still
     * work); its followers are answered 503 {@code share_failing}. Returns this.
     */
    public ReceiverProbes shares(java.util.function.Supplier<Map<String, String>> failing) {
        this.failingShares = failing;
        return this;
    }

    /**
     * Reports {@code "state_folder":"removed"} (503 DOWN) while {@code removed} names a folder the session store
     * holds open that was removed from the file system ({@link io.caravan.session.SessionStore#removedFolder}):
     * a folder of the same name made since is not the one the receiver writes to. Returns this.
     */
    public ReceiverProbes removedFolder(java.util.function.Supplier<java.util.Optional<Path>> removed) {
        this.removedFolder = removed;
        return this;
    }

    /**
     * {@code {"status":"UP"}}, or 503 {@code {"status":"DOWN"}} when the state folder is missing, not a writable
     * folder, or a link, or was removed while the receiver ran ({@code "state_folder":"removed"}); with a database, also {@code "database":"UP"} or {@code "DOWN"} (503 when down).
     * With nearly no file descriptor left ({@link FileDescriptors#nearlyExhausted}), 503 DOWN with
     * {@code "file_descriptors":"DOWN"}, {@code open_files} and {@code max_open_files}.
     */
    public void health(Exchange exchange) {
        boolean up = usableFolder(stateDir);
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("status", "UP");
        if (removedFolder != null && removedFolder.get().isPresent()) {
            up = false;
            body.put("state_folder", "removed");
        }
        if (database != null) {
            boolean reachable = database.getAsBoolean();
            up &= reachable;
            body.put("database", reachable ? "UP" : "DOWN");
        }
        if (failingShares != null) {
            Map<String, String> failing = failingShares.get();
            body.put("shares", failing.isEmpty() ? "UP" : "DOWN");
            if (!failing.isEmpty()) {
                body.put("failing_shares", failing);
            }
        }
        FileDescriptors descriptors = FileDescriptors.now();
        if (descriptors.nearlyExhausted()) {
            up = false;
            body.put("file_descriptors", "DOWN");
            body.put("open_files", descriptors.open() < 0 ? "all" : descriptors.open());
            body.put("max_open_files", descriptors.max());
        }
        body.put("status", up ? "UP" : "DOWN");
        ErrorAnswers.json(exchange, up ? 200 : 503, body);
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
