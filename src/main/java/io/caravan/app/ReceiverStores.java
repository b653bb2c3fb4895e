package io.caravan.app;

import io.caravan.dedup.IndexStore;
import io.caravan.receiver.ReceiverConfig;
import io.caravan.session.DiskSessionStore;
import io.caravan.session.SessionStore;
import io.caravan.session.postgres.PostgresIndexStore;
import io.caravan.session.postgres.PostgresSessionStore;
import io.caravan.session.postgres.SessionDatabase;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.component.quartz.QuartzComponent;

/**
 * {@code caravan.receiver.store}: where a receiver keeps its upload sessions and its content index.
 * {@code disk} (the default) in its state folder; {@code postgres} in the database
 * {@code caravan.receiver.db.url} with chunk bytes in {@code caravan.receiver.chunk-dir}, shared by every
 * node of a cluster. Any other value stops the start.
 */
final class ReceiverStores {

    static final String DISK = "disk";
    static final String POSTGRES = "postgres";
    /** The Quartz scheduler name every node of a cluster shares (QRTZ_* rows, seeded in migration V2). */
    static final String QUARTZ_CLUSTER = "caravan-receivers";

    private ReceiverStores() {
    }

    static SessionStore open(Settings settings, ReceiverConfig config, Clock clock) throws IOException {
        String kind = settings.text("caravan.receiver.store", DISK).strip().toLowerCase(Locale.ROOT);
        switch (kind) {
            case DISK:
                return new DiskSessionStore(config.stateDir(), config.sessionTtl(), config.limits(), clock, config.durability());
            case POSTGRES:
                SessionDatabase db = SessionDatabase.open(required(settings, "caravan.receiver.db.url"),
                        settings.text("caravan.receiver.db.user", null), settings.text("caravan.receiver.db.password", null),
                        settings.integer("caravan.receiver.db.pool-size", 16));
                try {
                    return new PostgresSessionStore(db,
                            Path.of(required(settings, "caravan.receiver.chunk-dir")).toAbsolutePath().normalize(),
                            config.sessionTtl(), config.limits(), clock, config.durability());
                } catch (IOException | RuntimeException e) {
                    db.close();
                    throw e;
                }
            default:
                throw new IllegalArgumentException("caravan.receiver.store must be " + DISK + " (sessions in the inbox's"
                        + " state folder) or " + POSTGRES + " (sessions in caravan.receiver.db.url, chunks in"
                        + " caravan.receiver.chunk-dir, shared by several receivers), not '" + kind + "'");
        }
    }

    /**
     * Where the receiver over {@code store} keeps its content index: in the database of a shared store (as
     * node {@code config.node()}), else in {@code dedup.jsonl} in its state folder.
     */
    static IndexStore contentIndex(SessionStore store, ReceiverConfig config) {
        if (store instanceof PostgresSessionStore shared) {
            return new PostgresIndexStore(shared.database(), config.node(), config.inbox());
        }
        return config.ownContentIndex();
    }

    /**
     * With {@code store=postgres}, Quartz keeps its triggers in the same database with the clustered JDBC
     * job store (tables and lock rows from migration V2): each firing of the cleanup cron runs on one node.
     */
    static void clusterQuartz(CamelContext context, Settings settings) {
        String kind = settings.text("caravan.receiver.store", DISK).strip().toLowerCase(Locale.ROOT);
        if (!POSTGRES.equals(kind)) {
            return;
        }
        Map<String, Object> quartz = new HashMap<>();
        quartz.put("org.quartz.scheduler.instanceName", QUARTZ_CLUSTER);
        quartz.put("org.quartz.scheduler.instanceId", "AUTO");
        quartz.put("org.quartz.threadPool.threadCount", "2");
        quartz.put("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
        quartz.put("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
        quartz.put("org.quartz.jobStore.dataSource", "caravan");
        quartz.put("org.quartz.jobStore.isClustered", "true");
        quartz.put("org.quartz.jobStore.clusterCheckinInterval", "5000");
        quartz.put("org.quartz.dataSource.caravan.provider", "hikaricp");
        quartz.put("org.quartz.dataSource.caravan.driver", "org.postgresql.Driver");
        quartz.put("org.quartz.dataSource.caravan.URL", required(settings, "caravan.receiver.db.url"));
        quartz.put("org.quartz.dataSource.caravan.maxConnections", "3");
        String user = settings.text("caravan.receiver.db.user", null);
        String password = settings.text("caravan.receiver.db.password", null);
        if (user != null) {
            quartz.put("org.quartz.dataSource.caravan.user", user);
        }
        if (password != null) {
            quartz.put("org.quartz.dataSource.caravan.password", password);
        }
        QuartzComponent component = context.getComponent("quartz", QuartzComponent.class);
        component.setPrefixInstanceName(false); // one name for every node: Quartz's cluster is the nodes of one name
        component.setProperties(quartz);
    }

    /**
     * With {@code store=postgres}, {@code config} as node {@code caravan.receiver.node-name} (default: this
     * host's name and the receiver's port) of receivers sharing the inbox: its staging folder is its own, so
     * a node's start never empties what another node extracts.
     */
    static ReceiverConfig node(Settings settings, ReceiverConfig config) {
        String kind = settings.text("caravan.receiver.store", DISK).strip().toLowerCase(Locale.ROOT);
        if (!POSTGRES.equals(kind)) {
            return config;
        }
        String name = settings.text("caravan.receiver.node-name", null);
        if (name == null) {
            String host;
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                host = "node";
            }
            name = host + "-" + settings.text("caravan.receiver.port", "8834");
        }
        String safe = name.replaceAll("[^A-Za-z0-9._-]", "_");
        if (safe.isEmpty() || safe.startsWith(".")) {
            throw new IllegalArgumentException("caravan.receiver.node-name '" + name
                    + "' must be letters, digits, '.', '_' or '-', not starting with '.'");
        }
        return config.asNode(safe);
    }

    private static String required(Settings settings, String key) {
        String value = settings.text(key, null);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(key + " must be set when caravan.receiver.store=" + POSTGRES);
        }
        return value;
    }
}
