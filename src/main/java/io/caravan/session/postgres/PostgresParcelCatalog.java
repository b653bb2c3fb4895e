package io.caravan.session.postgres;

import io.caravan.catalog.ParcelCatalog;
import io.caravan.catalog.PublishedParcel;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@link ParcelCatalog} that receivers sharing a {@link SessionDatabase} share: one row per name,
 * replaced by one upsert that raises its generation, so every record of a name, on any node and across
 * restarts, gets a generation greater than all before it and the greatest is the row found. Rows are
 * never dropped. Listing is an index range in byte order of the name.
 */
public final class PostgresParcelCatalog implements ParcelCatalog {

    private static final String COLUMNS = "name, kind, files, bytes, published_at, codec, generation, sha256";

    private final SessionDatabase db;
    private final Clock clock;

    public PostgresParcelCatalog(SessionDatabase db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    @Override
    public PublishedParcel record(String name, String kind, long files, long bytes, String codec, String sha256)
            throws IOException {
        Instant now = Instant.now(clock).truncatedTo(ChronoUnit.MILLIS);
        try (Connection c = db.connection(); PreparedStatement upsert = c.prepareStatement(
                "INSERT INTO caravan_parcel (" + COLUMNS + ", published) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)"
                        + " ON CONFLICT (name) DO UPDATE SET kind = EXCLUDED.kind, files = EXCLUDED.files,"
                        + " bytes = EXCLUDED.bytes, published_at = EXCLUDED.published_at, codec = EXCLUDED.codec,"
                        + " sha256 = EXCLUDED.sha256, published = EXCLUDED.published,"
                        + " generation = caravan_parcel.generation + 1 RETURNING " + COLUMNS)) {
            upsert.setString(1, name);
            upsert.setString(2, kind);
            upsert.setLong(3, files);
            upsert.setLong(4, bytes);
            upsert.setString(5, now.toString());
            upsert.setString(6, codec);
            upsert.setString(7, sha256);
            upsert.setTimestamp(8, Timestamp.from(now));
            try (ResultSet rs = upsert.executeQuery()) {
                rs.next();
                return parcel(rs);
            }
        } catch (SQLException e) {
            throw SessionDatabase.failure("recording the publish of " + name, e);
        }
    }

    /**
     * One UPDATE: the parcel named {@code path}, every folder above it and every entry below it get a new generation.
     * Both through the name's index: the names above are listed, and the names below are the range from
     * {@code path/} to {@code path0} in the byte order of the column ({@code '0'} follows {@code '/'}), not a scan of
     * the whole catalog on every publish.
     */
    @Override
    public List<PublishedParcel> changed(String path) throws IOException {
        Instant now = Instant.now(clock).truncatedTo(ChronoUnit.MILLIS);
        List<String> named = new ArrayList<>();
        for (int slash = path.indexOf('/'); slash > 0; slash = path.indexOf('/', slash + 1)) {
            named.add(path.substring(0, slash));
        }
        named.add(path);
        try (Connection c = db.connection(); PreparedStatement update = c.prepareStatement(
                "UPDATE caravan_parcel SET generation = generation + 1, published_at = ?, published = ?"
                        + " WHERE name = ANY(?) OR (name >= ? AND name < ?) RETURNING " + COLUMNS)) {
            update.setString(1, now.toString());
            update.setTimestamp(2, Timestamp.from(now));
            update.setArray(3, c.createArrayOf("text", named.toArray()));
            update.setString(4, path + "/");
            update.setString(5, path + "0");
            List<PublishedParcel> renewed = new ArrayList<>();
            try (ResultSet rs = update.executeQuery()) {
                while (rs.next()) {
                    renewed.add(parcel(rs));
                }
            }
            return renewed;
        } catch (SQLException e) {
            throw SessionDatabase.failure("recording a change below " + path, e);
        }
    }

    @Override
    public Optional<PublishedParcel> find(String name) throws IOException {
        try (Connection c = db.connection();
             PreparedStatement select = c.prepareStatement("SELECT " + COLUMNS + " FROM caravan_parcel WHERE name = ?")) {
            select.setString(1, name);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? Optional.of(parcel(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw SessionDatabase.failure("reading the catalog record of " + name, e);
        }
    }

    @Override
    public List<PublishedParcel> list(String prefix, Instant since, String after, int limit) throws IOException {
        String from = prefix == null ? "" : prefix;
        try (Connection c = db.connection(); PreparedStatement select = c.prepareStatement("SELECT " + COLUMNS
                + " FROM caravan_parcel WHERE name >= ? AND starts_with(name, ?) AND (?::timestamptz IS NULL OR published >= ?)"
                + " AND (?::text IS NULL OR name > ?) ORDER BY name LIMIT ?")) {
            select.setString(1, from); // where the index range starts: no name before the prefix is read
            select.setString(2, from);
            Timestamp at = since == null ? null : Timestamp.from(since);
            select.setTimestamp(3, at);
            select.setTimestamp(4, at);
            select.setString(5, after);
            select.setString(6, after);
            select.setInt(7, Math.max(0, limit));
            List<PublishedParcel> page = new ArrayList<>();
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    page.add(parcel(rs));
                }
            }
            return page;
        } catch (SQLException e) {
            throw SessionDatabase.failure("listing the catalog", e);
        }
    }

    private static PublishedParcel parcel(ResultSet rs) throws SQLException {
        return new PublishedParcel(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getString(5),
                rs.getString(6), rs.getLong(7), rs.getString(8));
    }
}
