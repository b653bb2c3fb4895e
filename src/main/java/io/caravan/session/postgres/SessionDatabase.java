package io.caravan.session.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.time.Duration;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The PostgreSQL database that receiver nodes share: a HikariCP pool whose schema Flyway brings to the
 * newest migration (classpath {@code db/migration}) when it opens; nodes that start together migrate
 * once (Flyway locks). A failure to reach the database is told apart from other SQL errors
 * ({@link #failure}): the first is a 503 the sender retries, the second a fault.
 */
public final class SessionDatabase implements AutoCloseable {

    /** How long a request waits for a connection before it is answered 503. */
    static final Duration CONNECTION_WAIT = Duration.ofSeconds(3);

    private final HikariDataSource pool;

    private SessionDatabase(HikariDataSource pool) {
        this.pool = pool;
    }

    /** Opens the pool on {@code url} and migrates the schema; fails naming the URL if the database cannot be reached. */
    public static SessionDatabase open(String url, String user, String password, int poolSize) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(1);
        config.setPoolName("caravan-db");
        config.setConnectionTimeout(CONNECTION_WAIT.toMillis());
        config.setValidationTimeout(Math.min(CONNECTION_WAIT.toMillis(), 2_000));
        config.addDataSourceProperty("connectTimeout", "3");
        config.addDataSourceProperty("socketTimeout", "120");
        // the server probes each connection's client after 30 s of silence and drops it after 3 unanswered probes
        // 10 s apart: a node cut off from the database lets go of its advisory locks (a finish's session and name)
        // within about a minute, not after the system's two hours
        config.addDataSourceProperty("tcpKeepAlive", "true");
        config.setConnectionInitSql("SET tcp_keepalives_idle = 30; SET tcp_keepalives_interval = 10;"
                + " SET tcp_keepalives_count = 3");
        HikariDataSource pool = new HikariDataSource(config);
        try {
            Flyway.configure().dataSource(pool).locations("classpath:db/migration").load().migrate();
        } catch (RuntimeException e) {
            pool.close();
            throw new IllegalStateException("cannot prepare the receiver's database at " + url + " (" + e.getMessage()
                    + "): check caravan.receiver.db.url, .user and .password and that the database is up", e);
        }
        return new SessionDatabase(pool);
    }

    /** Connections the pool holds at most. */
    int poolSize() {
        return pool.getMaximumPoolSize();
    }

    public DataSource dataSource() {
        return pool;
    }

    Connection connection() throws SQLException {
        return pool.getConnection();
    }

    /** Whether a connection can be had and answers within a second. */
    public boolean reachable() {
        try (Connection c = pool.getConnection()) {
            return c.isValid(1);
        } catch (SQLException e) {
            return false;
        }
    }

    /**
     * {@code e} as what a request answers: 503 {@link DatabaseUnavailableException} when the database could
     * not be reached or dropped the connection (SQLState class 08, 57P, 53, or a pool timeout), else an
     * IOException (a fault, 500).
     */
    static IOException failure(String what, SQLException e) {
        if (unavailable(e)) {
            throw new DatabaseUnavailableException(what, e);
        }
        return new IOException("database error while " + what + ": " + e.getMessage(), e);
    }

    static boolean unavailable(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                if (state.startsWith("08") || state.startsWith("57P") || state.startsWith("53")) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public void close() {
        pool.close();
    }
}
