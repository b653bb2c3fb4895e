package io.caravan.session.postgres;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.session.SessionMeta;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The session tables of a {@link SessionDatabase} as plain operations, each one statement or one
 * transaction on a pooled connection: sessions, their chunk rows changed since a version, finish
 * results and expiries. A failure to reach the database is a 503 ({@link SessionDatabase#failure}).
 */
final class SessionRows {

    static final ObjectMapper JSON = new ObjectMapper();

    /** A chunk row: committed at session version {@code version}. */
    record ChunkRow(int index, String sha256, long size, long version) {
    }

    /** A session's version now (-1: its row is gone), its expiry, and its chunk rows committed after the version asked about. */
    record Changes(long sessionVersion, String expiresAt, List<ChunkRow> chunks) {
    }

    private final SessionDatabase db;

    SessionRows(SessionDatabase db) {
        this.db = db;
    }

    /** Sessions that expire at {@code now} or later. */
    long countOpen(Instant now) throws IOException {
        return sql("counting open sessions", c -> {
            try (PreparedStatement count = c.prepareStatement("SELECT count(*) FROM caravan_session WHERE expires_at >= ?")) {
                count.setTimestamp(1, Timestamp.from(now));
                try (ResultSet rs = count.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    /**
     * Inserts {@code meta} unless {@code most} sessions that expire at {@code now} or later exist already: the count and
     * the insert under one transaction-wide lock, so starts at once on any node never pass the limit. Answers -1 when
     * inserted, else the count that refused it.
     */
    long insertBelow(SessionMeta meta, int most, Instant now) throws IOException {
        return transaction("creating session " + meta.id(), c -> {
            try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                lock.setLong(1, START_LOCK);
                lock.execute();
            }
            long open;
            try (PreparedStatement count = c.prepareStatement("SELECT count(*) FROM caravan_session WHERE expires_at >= ?")) {
                count.setTimestamp(1, Timestamp.from(now));
                try (ResultSet rs = count.executeQuery()) {
                    rs.next();
                    open = rs.getLong(1);
                }
            }
            if (open >= most) {
                return open;
            }
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO caravan_session (id, meta, expires_at) VALUES (?, ?, ?)")) {
                insert.setString(1, meta.id());
                insert.setString(2, JSON.writeValueAsString(meta));
                insert.setTimestamp(3, Timestamp.from(Instant.parse(meta.expiresAt())));
                insert.executeUpdate();
            }
            return -1L;
        });
    }

    /** The advisory lock the session starts of every node take in turn ({@link #insertBelow}). */
    private static final long START_LOCK = 0x63617261_76616e01L;

    /** Stores {@code meta} as its session's metadata; false when the session has no row (it was removed). */
    boolean updateMeta(SessionMeta meta) throws IOException {
        return sql("storing the publish options of session " + meta.id(), c -> {
            try (PreparedStatement update = c.prepareStatement("UPDATE caravan_session SET meta = ? WHERE id = ?")) {
                update.setString(1, JSON.writeValueAsString(meta));
                update.setString(2, meta.id());
                return update.executeUpdate() == 1;
            }
        });
    }

    /**
     * The metadata of session {@code id}; null when it has no row. Its {@code expires_at} is the row's column,
     * which renewals move ({@link #renew}); the JSON keeps the one of the start.
     */
    SessionMeta meta(String id) throws IOException {
        return sql("reading session " + id, c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT meta, expires_at FROM caravan_session WHERE id = ?")) {
                select.setString(1, id);
                try (ResultSet rs = select.executeQuery()) {
                    return rs.next() ? JSON.readValue(rs.getString(1), SessionMeta.class).withExpiresAt(instant(rs, 2)) : null;
                }
            }
        });
    }

    /** Moves the expiry of session {@code id} to {@code expiresAt} if that is later; false when it has no row. */
    boolean renew(String id, Instant expiresAt) throws IOException {
        return sql("renewing session " + id, c -> {
            try (PreparedStatement update = c.prepareStatement(
                    "UPDATE caravan_session SET expires_at = GREATEST(expires_at, ?) WHERE id = ?")) {
                update.setTimestamp(1, Timestamp.from(expiresAt));
                update.setString(2, id);
                return update.executeUpdate() == 1;
            }
        });
    }

    /** In one query: whether the session still exists (and its expiry), and its chunk rows committed after {@code since}, oldest first. */
    Changes changes(String id, long since) throws IOException {
        return sql("reading the chunks of session " + id, c -> {
            long version = -1;
            String expiresAt = null;
            List<ChunkRow> rows = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement("SELECT s.version, s.expires_at, c.idx, c.sha256, c.size, c.version"
                    + " FROM caravan_session s LEFT JOIN caravan_chunk c ON c.session_id = s.id AND c.version > ?"
                    + " WHERE s.id = ? ORDER BY c.version")) {
                select.setLong(1, since);
                select.setString(2, id);
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        version = rs.getLong(1);
                        expiresAt = instant(rs, 2);
                        if (rs.getString(4) != null) {
                            rows.add(new ChunkRow(rs.getInt(3), rs.getString(4), rs.getLong(5), rs.getLong(6)));
                        }
                    }
                }
            }
            return new Changes(version, expiresAt, rows);
        });
    }

    /** A timestamp column as the ISO instant a {@link SessionMeta} holds. */
    private static String instant(ResultSet rs, int column) throws SQLException {
        return rs.getTimestamp(column).toInstant().toString();
    }

    /** Of {@code ids}, those whose session row still exists. */
    List<String> existing(List<String> ids) throws IOException {
        return sql("looking for sessions removed elsewhere", c -> {
            List<String> found = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement("SELECT id FROM caravan_session WHERE id = ANY (?)")) {
                select.setArray(1, c.createArrayOf("text", ids.toArray()));
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        found.add(rs.getString(1));
                    }
                }
            }
            return found;
        });
    }

    /** When session {@code id} expired, if it was removed as expired within a lifetime; else null. */
    String expiredAt(String id) throws IOException {
        return single("reading session " + id, "SELECT expires_at FROM caravan_expired WHERE session_id = ?", id);
    }

    /** The result session {@code id}'s finish recorded; null if none. */
    String finishedResult(String id) throws IOException {
        return single("reading the result of session " + id, "SELECT result FROM caravan_finished WHERE session_id = ?", id);
    }

    /** Deletes the session's rows, in the same transaction recording {@code finishedResult} if given. */
    void remove(String id, String finishedResult, Instant at) throws IOException {
        transaction("removing session " + id, c -> {
            if (finishedResult != null) {
                try (PreparedStatement insert = c.prepareStatement("INSERT INTO caravan_finished (session_id, result, finished_at)"
                        + " VALUES (?, ?, ?) ON CONFLICT (session_id) DO NOTHING")) {
                    insert.setString(1, id);
                    insert.setString(2, finishedResult);
                    insert.setTimestamp(3, Timestamp.from(at));
                    insert.executeUpdate();
                }
            }
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM caravan_session WHERE id = ?")) {
                delete.setString(1, id);
                delete.executeUpdate();
            }
            return null;
        });
    }

    /** Ids of the sessions that expired before {@code now}. */
    List<String> expiredBefore(Instant now) throws IOException {
        return sql("listing expired sessions", c -> {
            List<String> ids = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement("SELECT id FROM caravan_session WHERE expires_at < ?")) {
                select.setTimestamp(1, Timestamp.from(now));
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getString(1));
                    }
                }
            }
            return ids;
        });
    }

    /**
     * Deletes an expired session's rows and records its expiry, in one transaction; its expiry time, or null if
     * another node did it first or renewed it meanwhile (it is no longer expired at {@code now}).
     */
    String expire(String id, Instant now) throws IOException {
        return transaction("expiring session " + id, c -> {
            String at = null;
            try (PreparedStatement delete = c.prepareStatement(
                    "DELETE FROM caravan_session WHERE id = ? AND expires_at < ? RETURNING expires_at")) {
                delete.setString(1, id);
                delete.setTimestamp(2, Timestamp.from(now));
                try (ResultSet rs = delete.executeQuery()) {
                    if (rs.next()) {
                        at = instant(rs, 1);
                    }
                }
            }
            if (at != null) {
                try (PreparedStatement insert = c.prepareStatement("INSERT INTO caravan_expired (session_id, expires_at, expired_at)"
                        + " VALUES (?, ?, ?) ON CONFLICT (session_id) DO NOTHING")) {
                    insert.setString(1, id);
                    insert.setString(2, at);
                    insert.setTimestamp(3, Timestamp.from(now));
                    insert.executeUpdate();
                }
            }
            return at;
        });
    }

    /** Forgets finish results and expiries recorded before {@code before}. */
    void forgetBefore(Instant before) throws IOException {
        sql("forgetting old results", c -> {
            try (PreparedStatement finished = c.prepareStatement("DELETE FROM caravan_finished WHERE finished_at < ?");
                 PreparedStatement tombstones = c.prepareStatement("DELETE FROM caravan_expired WHERE expired_at < ?")) {
                finished.setTimestamp(1, Timestamp.from(before));
                finished.executeUpdate();
                tombstones.setTimestamp(1, Timestamp.from(before));
                tombstones.executeUpdate();
            }
            return null;
        });
    }

    private String single(String what, String query, String id) throws IOException {
        return sql(what, c -> {
            try (PreparedStatement select = c.prepareStatement(query)) {
                select.setString(1, id);
                try (ResultSet rs = select.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        });
    }

    /** One unit of database work on a pooled connection. */
    interface Work<T> {
        T run(Connection c) throws SQLException, IOException;
    }

    <T> T sql(String what, Work<T> work) throws IOException {
        try (Connection c = db.connection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw SessionDatabase.failure(what, e);
        }
    }

    /** {@code work} in one transaction, committed when it returns and rolled back when it throws. */
    <T> T transaction(String what, Work<T> work) throws IOException {
        return sql(what, c -> {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } finally {
                if (!c.getAutoCommit()) {
                    c.rollback();
                    c.setAutoCommit(true);
                }
            }
        });
    }
}
