package io.caravan.session.postgres;

import io.caravan.dedup.ContentIndex.StoredFile;
import io.caravan.dedup.IndexStore;
import io.caravan.util.FileIdentity;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link IndexStore} that receivers sharing a {@link SessionDatabase} and an inbox share (tables of
 * migration V4): what one node records, queues, drops or forgets, every node finds or misses alike.
 *
 * <p><b>Identity across machines.</b> A row holds the file's identity as node {@code node} read it. The
 * device number is that machine's own; inode, size, mtime and ctime are the file's on a shared inbox
 * (NFS hands every client the server's). A row another node wrote is therefore answered with this
 * machine's device number for the file now at its path, so it is checked by inode, size, mtime and ctime,
 * and as seen at time 0: this machine never saw it settle, so a hard link to it hashes the file first
 * ({@code ContentIndex.StoredFile#inDoubt}). A node that checks a row writes it back as its own.
 *
 * <p><b>Queue.</b> A node hashing a waiting file holds a transaction-scoped advisory lock on its queue
 * number (no row lock, so a publish that forgets the path never waits for the hash); other nodes skip
 * it, and a lookup that would miss waits for it ({@link #awaitOthers}). A node that dies mid-hash lets go
 * with its connection. The outcome is kept only if the row still has that number: a path queued again,
 * indexed or forgotten meanwhile is not indexed from the old file.
 *
 * <p><b>Database unavailable.</b> Nothing fails its caller: a lookup misses (a re-send), a change is lost
 * (a later re-send; a row left stale is never answered, its identity no longer matches the file). After
 * the database could not be reached, it is not asked for {@link #BACK_OFF_MILLIS}, so requests do not
 * each wait for a connection.
 */
public final class PostgresIndexStore implements IndexStore {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresIndexStore.class);
    /** After the database could not be reached, how long the index misses without asking it. */
    static final long BACK_OFF_MILLIS = 5_000;
    /** How long a lookup waits at most for a file another node is hashing before it misses (under the pool's socket timeout). */
    static final long AWAIT_SECONDS = 60;
    /** The first key of this store's advisory locks (two-key form: no clash with single-key users such as Flyway). */
    private static final int LOCK_CLASS = 0x63617276;
    private static final String IDENTITY = "size, mtime_ns, ctime_ns, ino, dev, node, seen_ms";
    /** Waiting files looked at per attempt to take one. */
    private static final int CANDIDATES = 32;

    private final SessionDatabase db;
    private final String node;
    private final Path inbox;
    private final Object awaiting = new Object();
    private volatile long downUntilNanos;
    private volatile boolean failing;

    /** The store of node {@code node} (its name, unique among the nodes) over {@code inbox}. */
    public PostgresIndexStore(SessionDatabase db, String node, Path inbox) {
        this.db = db;
        this.node = Objects.requireNonNull(node, "node");
        this.inbox = inbox.toAbsolutePath().normalize();
        this.downUntilNanos = System.nanoTime();
    }

    /** Nothing to read: the rows are the index. */
    @Override
    public void load() {
    }

    @Override
    public StoredFile bySha(String sha256) {
        return call("looking up content", null, c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT path, " + IDENTITY
                    + " FROM caravan_content WHERE sha256 = ? ORDER BY seen_ms DESC LIMIT 1")) {
                select.setString(1, sha256);
                try (ResultSet rs = select.executeQuery()) {
                    return rs.next() ? file(rs, sha256) : null;
                }
            }
        });
    }

    @Override
    public void indexed(List<StoredFile> files) {
        if (files.isEmpty()) {
            return;
        }
        List<StoredFile> ordered = byPath(files); // one lock order for every node: batches never deadlock
        call("recording hashed files", null, c -> inTransaction(c, () -> {
            try (PreparedStatement unqueue = c.prepareStatement("DELETE FROM caravan_content_queue WHERE path = ?");
                 PreparedStatement upsert = upsert(c)) {
                for (StoredFile f : ordered) {
                    unqueue.setString(1, f.path());
                    unqueue.addBatch();
                    bindUpsert(upsert, f);
                    upsert.addBatch();
                }
                unqueue.executeBatch();
                upsert.executeBatch();
            }
            return null;
        }));
    }

    @Override
    public void queued(List<StoredFile> files) {
        if (files.isEmpty()) {
            return;
        }
        List<StoredFile> ordered = byPath(files);
        call("queueing files for hashing", null, c -> {
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO caravan_content_queue (path, " + IDENTITY
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (path) DO UPDATE SET size = EXCLUDED.size,"
                    + " mtime_ns = EXCLUDED.mtime_ns, ctime_ns = EXCLUDED.ctime_ns, ino = EXCLUDED.ino, dev = EXCLUDED.dev,"
                    + " node = EXCLUDED.node, seen_ms = EXCLUDED.seen_ms,"
                    + " queued = nextval(pg_get_serial_sequence('caravan_content_queue', 'queued'))")) {
                for (StoredFile f : ordered) {
                    insert.setString(1, f.path());
                    bindIdentity(insert, 2, f.identity(), f.seenMillis());
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            return null;
        });
    }

    /** The queue first: a hash finishing meanwhile commits before its row is gone, and its result is then deleted. */
    @Override
    public void forget(String path) {
        call("forgetting " + path, null, c -> {
            for (String table : List.of("caravan_content_queue", "caravan_content")) {
                try (PreparedStatement delete = c.prepareStatement("DELETE FROM " + table
                        + " WHERE path = ? OR (path >= ? AND path < ?)")) {
                    delete.setString(1, path);
                    delete.setString(2, path + "/");
                    delete.setString(3, path + "0"); // '/' + 1: every path below the folder sorts before it
                    delete.executeUpdate();
                }
            }
            return null;
        });
    }

    @Override
    public void drop(StoredFile file) {
        call("dropping a changed file", null, c -> {
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM caravan_content WHERE " + SAME)) {
                bindSame(delete, 1, file);
                delete.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public void replace(StoredFile old, StoredFile updated) {
        call("noting a file's new identity", null, c -> {
            try (PreparedStatement update = c.prepareStatement("UPDATE caravan_content SET size = ?, mtime_ns = ?,"
                    + " ctime_ns = ?, ino = ?, dev = ?, node = ?, seen_ms = ? WHERE " + SAME)) {
                bindIdentity(update, 1, updated.identity(), updated.seenMillis());
                bindSame(update, 8, old);
                update.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public boolean hasPending() {
        return call("looking at the hashing queue", false, c -> {
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT EXISTS (SELECT 1 FROM caravan_content_queue)")) {
                rs.next();
                return rs.getBoolean(1);
            }
        });
    }

    @Override
    public boolean hashNext(Hasher hasher) {
        return call("hashing a queued file", false, c -> inTransaction(c, () -> {
            Taken taken = take(c);
            if (taken == null) {
                return false;
            }
            Hashed outcome = hasher.hash(taken.file());
            if (outcome.gaveUp()) {
                c.rollback();
                return false;
            }
            try (PreparedStatement unqueue = c.prepareStatement(
                    "DELETE FROM caravan_content_queue WHERE path = ? AND queued = ?")) {
                unqueue.setString(1, taken.file().path());
                unqueue.setLong(2, taken.queued());
                if (unqueue.executeUpdate() == 1 && outcome.indexed() != null) {
                    try (PreparedStatement upsert = upsert(c)) {
                        bindUpsert(upsert, outcome.indexed());
                        upsert.executeUpdate();
                    }
                }
            }
            return true;
        }));
    }

    /** One lookup of this node waits at a time, on one connection: lookups waiting together cannot empty the pool. */
    @Override
    public boolean awaitOthers() {
        synchronized (awaiting) {
            return call("waiting for files other nodes hash", false, c -> inTransaction(c, () -> awaitHeld(c)));
        }
    }

    /** Waits for the lock of one waiting file another node holds; false when none is held. */
    private boolean awaitHeld(Connection c) throws SQLException {
        Set<Integer> held = new HashSet<>();
        try (PreparedStatement locks = c.prepareStatement("SELECT objid::bigint FROM pg_locks WHERE locktype = 'advisory'"
                + " AND granted AND objsubid = 2 AND classid = ?::oid AND pid <> pg_backend_pid()"
                + " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")) {
            locks.setLong(1, LOCK_CLASS);
            try (ResultSet rs = locks.executeQuery()) {
                while (rs.next()) {
                    held.add((int) rs.getLong(1));
                }
            }
        }
        Integer waitFor = null;
        if (!held.isEmpty()) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT queued FROM caravan_content_queue")) {
                while (waitFor == null && rs.next()) {
                    int key = key(rs.getLong(1));
                    waitFor = held.contains(key) ? key : null;
                }
            }
        }
        if (waitFor == null) {
            return false;
        }
        try (Statement s = c.createStatement()) {
            s.execute("SET LOCAL lock_timeout = '" + AWAIT_SECONDS + "s'");
        }
        try (PreparedStatement wait = c.prepareStatement("SELECT pg_advisory_xact_lock(?, ?)")) {
            wait.setInt(1, LOCK_CLASS);
            wait.setInt(2, waitFor);
            wait.executeQuery().close();
        }
        return true; // the transaction's end lets go of the lock at once
    }

    /** A waiting file this transaction holds the lock of, and its queue number. */
    private record Taken(StoredFile file, long queued) {
    }

    /** Locks the oldest waiting file no other node holds; null when there is none. */
    private Taken take(Connection c) throws SQLException {
        List<Long> candidates = new ArrayList<>();
        try (PreparedStatement select = c.prepareStatement(
                "SELECT queued FROM caravan_content_queue ORDER BY queued LIMIT " + CANDIDATES)) {
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    candidates.add(rs.getLong(1));
                }
            }
        }
        for (long queued : candidates) {
            try (PreparedStatement lock = c.prepareStatement("SELECT pg_try_advisory_xact_lock(?, ?)")) {
                lock.setInt(1, LOCK_CLASS);
                lock.setInt(2, key(queued));
                try (ResultSet rs = lock.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        continue; // another node hashes it
                    }
                }
            }
            try (PreparedStatement row = c.prepareStatement(
                    "SELECT path, " + IDENTITY + " FROM caravan_content_queue WHERE queued = ?")) {
                row.setLong(1, queued);
                try (ResultSet rs = row.executeQuery()) {
                    if (rs.next()) {
                        return new Taken(file(rs, null), queued);
                    }
                }
            }
        }
        return null;
    }

    /** Rows of the same file: path, hash and the identity fields every machine sees alike. */
    private static final String SAME = "path = ? AND sha256 = ? AND size = ? AND mtime_ns = ? AND ctime_ns = ? AND ino = ?";

    private static void bindSame(PreparedStatement s, int from, StoredFile f) throws SQLException {
        s.setString(from, f.path());
        s.setString(from + 1, f.sha256());
        s.setLong(from + 2, f.identity().size());
        s.setLong(from + 3, f.identity().mtimeNanos());
        s.setLong(from + 4, f.identity().ctimeNanos());
        s.setLong(from + 5, f.identity().ino());
    }

    private static PreparedStatement upsert(Connection c) throws SQLException {
        return c.prepareStatement("INSERT INTO caravan_content (path, sha256, " + IDENTITY
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (path) DO UPDATE SET sha256 = EXCLUDED.sha256,"
                + " size = EXCLUDED.size, mtime_ns = EXCLUDED.mtime_ns, ctime_ns = EXCLUDED.ctime_ns, ino = EXCLUDED.ino,"
                + " dev = EXCLUDED.dev, node = EXCLUDED.node, seen_ms = EXCLUDED.seen_ms");
    }

    private void bindUpsert(PreparedStatement upsert, StoredFile f) throws SQLException {
        upsert.setString(1, f.path());
        upsert.setString(2, f.sha256());
        bindIdentity(upsert, 3, f.identity(), f.seenMillis());
    }

    /** Binds {@link #IDENTITY} from {@code from}: this node's reading. */
    private void bindIdentity(PreparedStatement s, int from, FileIdentity id, long seenMillis) throws SQLException {
        s.setLong(from, id.size());
        s.setLong(from + 1, id.mtimeNanos());
        s.setLong(from + 2, id.ctimeNanos());
        s.setLong(from + 3, id.ino());
        s.setLong(from + 4, id.dev());
        s.setString(from + 5, node);
        s.setLong(from + 6, seenMillis);
    }

    /** A row (path, then {@link #IDENTITY}) as this node checks it: one recorded elsewhere gets this machine's device number. */
    private StoredFile file(ResultSet rs, String sha256) throws SQLException {
        String path = rs.getString(1);
        FileIdentity recorded = new FileIdentity(rs.getLong(6), rs.getLong(5), rs.getLong(2), rs.getLong(3), rs.getLong(4));
        if (node.equals(rs.getString(7))) {
            return new StoredFile(sha256, path, recorded, rs.getLong(8));
        }
        long dev = recorded.dev();
        Path here = inbox.resolve(path).normalize();
        if (here.startsWith(inbox)) {
            try {
                dev = FileIdentity.ofRegularFile(here).map(FileIdentity::dev).orElse(dev);
            } catch (IOException e) {
                // unreadable: the check finds it gone
            }
        }
        return new StoredFile(sha256, path, new FileIdentity(dev, recorded.ino(), recorded.size(), recorded.mtimeNanos(),
                recorded.ctimeNanos()), 0);
    }

    private static List<StoredFile> byPath(List<StoredFile> files) {
        return files.stream().sorted(Comparator.comparing(StoredFile::path)).toList();
    }

    /** Low 31 bits of a queue number: the second key of its advisory lock (a clash only makes a node skip or wait once more). */
    private static int key(long queued) {
        return (int) (queued & Integer.MAX_VALUE);
    }

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private interface Step<T> {
        T run() throws SQLException;
    }

    private static <T> T inTransaction(Connection c, Step<T> step) throws SQLException {
        c.setAutoCommit(false);
        try {
            T result = step.run();
            c.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            try {
                c.rollback();
            } catch (SQLException ignored) {
                // the connection is gone: so is the transaction
            }
            throw e;
        } finally {
            try {
                c.setAutoCommit(true);
            } catch (SQLException ignored) {
                // a broken connection leaves the pool
            }
        }
    }

    /** Runs {@code work} on a connection; on failure logs (once per outage) and answers {@code otherwise}. */
    private <T> T call(String what, T otherwise, Work<T> work) {
        if (System.nanoTime() - downUntilNanos < 0) {
            return otherwise;
        }
        try (Connection c = db.connection()) {
            T result = work.run(c);
            if (failing) {
                failing = false;
                LOG.info("content index: the database answers again");
            }
            return result;
        } catch (SQLException e) {
            if (SessionDatabase.unavailable(e)) {
                downUntilNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BACK_OFF_MILLIS);
                if (!failing) {
                    failing = true;
                    LOG.warn("content index: the database cannot be reached while {} ({}); content is sent again"
                            + " instead of found until it answers", what, e.getMessage());
                }
            } else {
                LOG.warn("content index: database error while {} ({}); content is sent again instead of found",
                        what, e.getMessage());
            }
            return otherwise;
        }
    }
}
