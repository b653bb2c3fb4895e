package io.caravan.app;

import io.caravan.receiver.ReceiverConfig;
import io.caravan.session.DiskSessionStore;
import io.caravan.session.SessionStore;
import io.caravan.session.postgres.PostgresSessionStore;
import io.caravan.session.postgres.SessionDatabase;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;

/**
 * {@code caravan.receiver.store}: where a receiver keeps its upload sessions. {@code disk} (the default)
 * in its state folder; {@code postgres} in the database {@code caravan.receiver.db.url} with chunk bytes in
 * {@code caravan.receiver.chunk-dir}, shared by every node of a cluster. Any other value stops the start.
 */
final class ReceiverStores {

    static final String DISK = "disk";
    static final String POSTGRES = "postgres";

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

    private static String required(Settings settings, String key) {
        String value = settings.text(key, null);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(key + " must be set when caravan.receiver.store=" + POSTGRES);
        }
        return value;
    }
}
