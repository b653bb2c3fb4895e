package io.caravan.session.postgres;

import io.caravan.fs.ConfinedDir;
import io.caravan.session.ChunkBody;
import io.caravan.session.ChunkDigestMismatchException;
import io.caravan.session.ChunkFiles;
import io.caravan.session.ChunkWrite;
import io.caravan.session.Durability;
import io.caravan.session.Session;
import io.caravan.session.SessionExpiredException;
import io.caravan.session.SessionId;
import io.caravan.session.SessionLimits;
import io.caravan.session.SessionListener;
import io.caravan.session.SessionMeta;
import io.caravan.session.SessionNotFoundException;
import io.caravan.session.SessionStore;
import io.caravan.session.StoredChunk;
import io.caravan.session.UploadActivity;
import io.caravan.unpack.Staging;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.BooleanSupplier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * A {@link SessionStore} that receiver nodes share: sessions, one row per chunk (unique on session and
 * index), finish results and expiries in PostgreSQL ({@link SessionDatabase}); chunk bytes in a shared
 * folder, written to a temporary file and renamed under their index and hash ({@link ChunkFiles}) before
 * the row that commits them. A node keeps the sessions it works on in memory (letting go of those idle for
 * {@link #IDLE}) and brings each up to date with one query on every {@link #get}, reading only the chunk
 * rows committed since it last looked. Writes
 * of one index are serialised across nodes by an advisory lock, commits of one session by its row.
 */
public final class PostgresSessionStore implements SessionStore, Closeable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PostgresSessionStore.class);

    /** How long a session this node holds may go unasked before it lets go of it. */
    static final Duration IDLE = Duration.ofMinutes(5);
    private static final Duration SWEEP_EVERY = Duration.ofMinutes(1);

    private final SessionDatabase db;
    private final SessionRows rows;
    private final Duration ttl;
    private final SessionLimits limits;
    private final Clock clock;
    private final ChunkFiles files;
    /** Where chunks are written before they are renamed in, held open: a link planted for it is never followed. */
    private final ConfinedDir tmp;
    private final Path tmpDir;
    /** The temporary folder as configured, for messages. */
    private final Path tmpConfigured;
    private final UploadActivity activity = new UploadActivity();
    private final Map<String, Tracked> sessions = new ConcurrentHashMap<>();
    /** Finishes holding a connection for their lock at once: at most half the pool. */
    private final Semaphore finishing;
    /** The longest a finish waits for its session's lock and a finishing slot by default: then it is answered busy. */
    public static final Duration FINISH_WAIT = Duration.ofSeconds(30);
    /** How often a waiting finish tries the session's lock again. */
    private static final long LOCK_POLL_MILLIS = 50;
    private volatile Duration finishWait = FINISH_WAIT;
    /**
     * The second key of the advisory locks of a session's finish and of a published name (the first is the session
     * id's or the name's hash); a chunk's lock has the chunk's index, never negative, as its second key.
     */
    private static final int SESSION_LOCK = -1;
    private static final int NAME_LOCK = -2;
    private final Duration idle;
    private final Duration sweepEvery;
    private final AtomicLong lastSweep = new AtomicLong(System.nanoTime());

    /** A session this node holds, with the newest session version it has read and each listed chunk's version. */
    private static final class Tracked {
        final Session session;
        long seen = -1;
        final Map<Integer, Long> versions = new HashMap<>();
        volatile long usedAt = System.nanoTime();

        Tracked(Session session) {
            this.session = session;
        }
    }

    public PostgresSessionStore(SessionDatabase db, Path chunkDir, Duration ttl, SessionLimits limits, Clock clock,
                                Durability durability) throws IOException {
        this(db, chunkDir, ttl, limits, clock, durability, IDLE);
    }

    /** {@code idle}: how long a session may go unasked before this node looks whether it still exists (and checks each request then). */
    public PostgresSessionStore(SessionDatabase db, Path chunkDir, Duration ttl, SessionLimits limits, Clock clock,
                                Durability durability, Duration idle) throws IOException {
        this.idle = idle;
        this.sweepEvery = idle.compareTo(SWEEP_EVERY) < 0 ? idle : SWEEP_EVERY;
        this.db = db;
        this.rows = new SessionRows(db);
        this.ttl = ttl;
        this.limits = limits;
        this.clock = clock;
        // a row is durable once it commits and every node trusts it: its chunk's bytes are forced first, whatever
        // caravan.receiver.durability says (no node could tell after a power loss which unforced chunks were torn)
        this.files = new ChunkFiles(chunkDir, limits, new Durability(Durability.Mode.CHUNK, durability.syncer()), clock,
                this::sessions);
        if (!durability.everyChunk()) {
            LOG.info("the postgres store forces every chunk before its row commits (durability chunk): a row in the"
                    + " database is durable at once, so the bytes it names must be too");
        }
        try {
            this.tmp = ConfinedDir.openStateFolder(chunkDir.resolve("tmp"));
            this.tmpConfigured = chunkDir.resolve("tmp");
        } catch (IOException | RuntimeException e) {
            files.close();
            throw e;
        }
        this.tmpDir = tmp.self();
        this.finishing = new Semaphore(Math.max(1, db.poolSize() / 2));
    }

    @Override
    public Duration ttl() {
        return ttl;
    }

    @Override
    public java.util.Optional<Path> removedFolder() {
        return tmp.removed() ? java.util.Optional.of(tmpConfigured) : java.util.Optional.empty();
    }

    @Override
    public SessionLimits limits() {
        return limits;
    }

    @Override
    public UploadActivity activity() {
        return activity;
    }

    /** The sessions this node holds: those it was asked for within {@link #IDLE} or that something here listens to, not seen removed. */
    @Override
    public Collection<Session> sessions() {
        return sessions.values().stream().map(t -> t.session).collect(Collectors.toList());
    }

    @Override
    public Session create(String name, String kind, String codec, Long chunkSize, String onConflict, String mode,
                          boolean into, boolean force, Long size) throws IOException {
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        files.checkNewSession(rows.countOpen(now));
        SessionId id = SessionId.random();
        SessionMeta meta = new SessionMeta(id.value(), name, kind, codec, chunkSize, onConflict,
                now.toString(), now.plus(ttl).toString(), mode, into ? Boolean.TRUE : null, force ? Boolean.TRUE : null, size);
        Session session = files.create(meta);
        long open = rows.insertBelow(meta, limits.maxOpenSessions(), now);
        if (open >= 0) { // other starts took the last places meanwhile, on this node or another
            deleteFolder(session);
            files.checkNewSession(open);
        }
        Tracked tracked = new Tracked(session);
        tracked.seen = 0;
        sessions.put(id.value(), tracked);
        return session;
    }

    /** The session as the database holds it now: chunks committed by any node since this one last looked are listed. */
    @Override
    public Session get(String id) {
        return get(id, clock.instant());
    }

    @Override
    public Session get(String id, Instant asOf) {
        SessionId sid = new SessionId(id);
        try {
            letGoOfIdle();
            Tracked tracked = sessions.get(sid.value());
            if (tracked == null) {
                tracked = load(sid.value());
            }
            tracked.usedAt = System.nanoTime();
            refresh(tracked);
            if (tracked.session.expired(asOf)) {
                throw new SessionExpiredException(sid.value(), tracked.session.meta().expiresAt());
            }
            return tracked.session;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * At most once a minute, looks at the sessions nobody here asked for in {@code idle}: those nothing here
     * listens to are let go of (a session asked for again is read from the database); those with listeners
     * (an extraction) are kept while their row exists and otherwise forgotten, telling the listeners (another
     * node finished, deleted or expired them). Memory holds the sessions this node works on.
     */
    private void letGoOfIdle() {
        long now = System.nanoTime();
        long last = lastSweep.get();
        if (now - last < sweepEvery.toNanos() || !lastSweep.compareAndSet(last, now)) {
            return;
        }
        List<Tracked> listened = new ArrayList<>();
        for (Tracked tracked : List.copyOf(sessions.values())) {
            if (now - tracked.usedAt >= idle.toNanos()) {
                if (ChunkFiles.listeners(tracked.session).isEmpty()) {
                    sessions.remove(tracked.session.meta().id(), tracked);
                } else {
                    listened.add(tracked);
                }
            }
        }
        if (listened.isEmpty()) {
            return;
        }
        try {
            List<String> open = rows.existing(listened.stream().map(t -> t.session.meta().id()).toList());
            listened.stream().filter(t -> !open.contains(t.session.meta().id())).forEach(this::forget);
        } catch (IOException | RuntimeException e) {
            // the next sweep looks again; the request that ran this one goes on
        }
    }

    private Tracked load(String id) throws IOException {
        SessionMeta meta = rows.meta(id);
        if (meta == null) {
            throw gone(id);
        }
        Session session = files.session(meta);
        files.dropTemporaries(session); // never written there by this store: leftovers of another layout
        Tracked tracked = sessions.putIfAbsent(id, new Tracked(session));
        return tracked != null ? tracked : sessions.get(id);
    }

    /** The session's row holds the new options once it commits; every node reads them with {@link #currentMeta}. */
    @Override
    public void replacePublishOptions(Session session, String onConflict, boolean force) throws IOException {
        SessionMeta meta = session.meta().withPublishOptions(onConflict, force);
        if (!rows.updateMeta(meta)) {
            throw gone(meta.id());
        }
        ChunkFiles.meta(session, meta);
    }

    @Override
    public SessionMeta currentMeta(Session session) throws IOException {
        String id = session.meta().id();
        SessionMeta meta = rows.meta(id);
        if (meta == null) {
            throw gone(id);
        }
        ChunkFiles.meta(session, meta);
        return meta;
    }

    /** Lists the chunk rows committed since the last look; a session whose row is gone was removed elsewhere. */
    private void refresh(Tracked tracked) throws IOException {
        String id = tracked.session.meta().id();
        long since;
        synchronized (tracked) {
            since = tracked.seen;
        }
        SessionRows.Changes changes = rows.changes(id, since);
        if (changes.sessionVersion() < 0) {
            forget(tracked);
            throw gone(id);
        }
        if (!changes.expiresAt().equals(tracked.session.meta().expiresAt())) { // renewed by a chunk stored on a node
            ChunkFiles.meta(tracked.session, tracked.session.meta().withExpiresAt(changes.expiresAt()));
        }
        Map<Integer, Boolean> changed = new TreeMap<>();
        synchronized (tracked) {
            for (SessionRows.ChunkRow row : changes.chunks()) {
                StoredChunk before = tracked.session.chunk(row.index());
                StoredChunk chunk = new StoredChunk(row.index(), row.sha256(), row.size(),
                        files.chunkFile(tracked.session, row.index(), row.sha256()));
                if (listIfNewer(tracked, chunk, row.version(), null) && (before == null || !before.sha256().equals(chunk.sha256()))) {
                    changed.put(row.index(), before != null);
                }
            }
            tracked.seen = Math.max(tracked.seen, changes.sessionVersion());
        }
        // chunks another node stored: this node's listeners (an extraction) read them from the shared folder
        changed.forEach((index, replaced) -> ChunkFiles.listeners(tracked.session)
                .forEach(listener -> listener.chunkStored(tracked.session, index, replaced)));
    }

    /** Lists {@code chunk} unless this node already lists a newer commit of its index; under the tracker's monitor. */
    private boolean listIfNewer(Tracked tracked, StoredChunk chunk, long version, ChunkBody body) {
        Long listed = tracked.versions.get(chunk.index());
        if (listed == null || listed < version) {
            tracked.versions.put(chunk.index(), version);
            files.list(tracked.session, chunk, body);
            return true;
        }
        return false;
    }

    /** 410 for a session that expired within a lifetime, else 404. */
    private RuntimeException gone(String id) throws IOException {
        String expiredAt = rows.expiredAt(id);
        return expiredAt != null ? new SessionExpiredException(id, expiredAt) : new SessionNotFoundException(id);
    }

    @Override
    public Optional<String> finishedResult(String id) {
        String sid = new SessionId(id).value();
        try {
            return Optional.ofNullable(rows.finishedResult(sid));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public ChunkWrite write(Session session, int index, ChunkBody body, String expectedSha256) throws IOException {
        long length = body.length();
        files.checkChunk(session, index, length);
        activity.chunkArriving();
        Path tmp = ChunkFiles.temp(tmpDir);
        String sha;
        try {
            sha = files.write(tmp, body);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        if (expectedSha256 != null && !expectedSha256.equalsIgnoreCase(sha)) {
            Files.deleteIfExists(tmp);
            throw new ChunkDigestMismatchException(session.meta().id(), index, expectedSha256, sha);
        }
        ChunkWrite result;
        try {
            result = commit(session, index, tmp, sha, length, body);
        } finally {
            Files.deleteIfExists(tmp);
        }
        renew(session);
        if (result.outcome() != ChunkWrite.Outcome.IDENTICAL) {
            for (SessionListener listener : ChunkFiles.listeners(session)) {
                listener.chunkStored(session, index, result.outcome() == ChunkWrite.Outcome.REPLACED);
            }
        }
        return result;
    }

    /**
     * Under the advisory lock of (session, index), held across nodes until the old body's file is gone: the
     * session's row is locked and its version raised (no row: removed), the current row read; a different
     * hash renames the new file into place and upserts the row, whose commit acknowledges the chunk.
     */
    private ChunkWrite commit(Session session, int index, Path tmp, String sha, long length, ChunkBody body)
            throws IOException {
        String id = session.meta().id();
        Tracked tracked = sessions.get(id);
        String what = "storing chunk " + index + " of session " + id;
        Path file = files.chunkFile(session, index, sha);
        try (Connection c = db.connection()) {
            try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_lock(?, ?)")) {
                lock.setInt(1, id.hashCode());
                lock.setInt(2, index);
                lock.execute();
            }
            try {
                c.setAutoCommit(false);
                long version;
                try (PreparedStatement bump = c.prepareStatement(
                        "UPDATE caravan_session SET version = version + 1 WHERE id = ? RETURNING version")) {
                    bump.setString(1, id);
                    try (ResultSet rs = bump.executeQuery()) {
                        if (!rs.next()) {
                            c.rollback();
                            if (tracked != null) {
                                forget(tracked);
                            }
                            throw gone(id);
                        }
                        version = rs.getLong(1);
                    }
                }
                String oldSha = null;
                long oldSize = 0;
                long oldVersion = 0;
                try (PreparedStatement select = c.prepareStatement(
                        "SELECT sha256, size, version FROM caravan_chunk WHERE session_id = ? AND idx = ?")) {
                    select.setString(1, id);
                    select.setInt(2, index);
                    try (ResultSet rs = select.executeQuery()) {
                        if (rs.next()) {
                            oldSha = rs.getString(1);
                            oldSize = rs.getLong(2);
                            oldVersion = rs.getLong(3);
                        }
                    }
                }
                if (sha.equals(oldSha)) {
                    c.rollback();
                    StoredChunk existing = new StoredChunk(index, sha, oldSize, file);
                    if (tracked != null) {
                        synchronized (tracked) {
                            listIfNewer(tracked, existing, oldVersion, null);
                        }
                    }
                    return new ChunkWrite(existing, ChunkWrite.Outcome.IDENTICAL);
                }
                try {
                    files.moveIntoPlace(tmp, file);
                } catch (NoSuchFileException e) {
                    c.rollback();
                    throw gone(id); // the session's folder went with its removal
                }
                try (PreparedStatement upsert = c.prepareStatement("INSERT INTO caravan_chunk (session_id, idx, sha256, size, version)"
                        + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (session_id, idx)"
                        + " DO UPDATE SET sha256 = EXCLUDED.sha256, size = EXCLUDED.size, version = EXCLUDED.version")) {
                    upsert.setString(1, id);
                    upsert.setInt(2, index);
                    upsert.setString(3, sha);
                    upsert.setLong(4, length);
                    upsert.setLong(5, version);
                    upsert.executeUpdate();
                }
                c.commit();
                if (oldSha != null) {
                    Files.deleteIfExists(files.chunkFile(session, index, oldSha));
                }
                StoredChunk stored = new StoredChunk(index, sha, length, file);
                if (tracked != null) {
                    synchronized (tracked) {
                        listIfNewer(tracked, stored, version, body);
                    }
                }
                return new ChunkWrite(stored, oldSha == null ? ChunkWrite.Outcome.CREATED : ChunkWrite.Outcome.REPLACED);
            } finally {
                if (!c.getAutoCommit()) {
                    c.rollback();
                    c.setAutoCommit(true);
                }
                try (PreparedStatement unlock = c.prepareStatement("SELECT pg_advisory_unlock(?, ?)")) {
                    unlock.setInt(1, id.hashCode());
                    unlock.setInt(2, index);
                    unlock.execute();
                }
            }
        } catch (SQLException e) {
            throw SessionDatabase.failure(what, e);
        }
    }

    /** The row's {@code expires_at} moves (the truth every node reads), then this node's metadata. */
    @Override
    public void renew(Session session) throws IOException {
        Optional<SessionMeta> renewed = session.renewal(clock.instant(), ttl);
        if (renewed.isPresent() && rows.renew(session.meta().id(), Instant.parse(renewed.get().expiresAt()))) {
            ChunkFiles.meta(session, renewed.get());
        }
    }

    @Override
    public InputStream open(Session session, StoredChunk chunk) throws IOException {
        return files.open(session, chunk);
    }

    @Override
    public long heldBytes() {
        return files.heldBytes();
    }

    /** The session's rows go in one transaction with its result (if any): a finish is never lost between the two. */
    @Override
    public void remove(Session session, String finishedResult) throws IOException {
        String id = session.meta().id();
        rows.remove(id, finishedResult, clock.instant());
        Tracked tracked = sessions.get(id);
        if (tracked != null) {
            forget(tracked);
        } else {
            files.removed(session, () -> { });
        }
        deleteFolder(session);
    }

    /** This node lets go of a session removed (here or on another node). */
    private void forget(Tracked tracked) {
        files.removed(tracked.session, () -> sessions.remove(tracked.session.meta().id(), tracked));
    }

    private void deleteFolder(Session session) throws IOException {
        Path dir = files.sessionDir(session.meta().id());
        for (int attempt = 1; ; attempt++) {
            try {
                Staging.deleteTree(dir);
                return;
            } catch (DirectoryNotEmptyException e) {
                // a chunk renamed in by a write that then finds the session gone and fails with 404/410
                if (attempt == 10) {
                    throw e;
                }
            }
        }
    }

    /**
     * Removes the sessions that expired (any node's: each is removed by the node whose delete found its
     * row), leaving a record so they answer 410; forgets results and expiries older than a lifetime, and
     * temporary chunk files older than that (writes that died with their node).
     */
    @Override
    public List<String> expire() throws IOException {
        Instant now = clock.instant();
        List<String> expired = rows.expiredBefore(now);
        List<String> removed = new ArrayList<>();
        for (String id : expired) {
            Tracked tracked = sessions.get(id);
            String expiresAt = tracked == null ? rows.expire(id, now) : expireAfterFinish(tracked.session, now);
            if (expiresAt == null) {
                continue; // another node removed or renewed it first
            }
            if (tracked != null) {
                forget(tracked);
            }
            Staging.deleteTree(files.sessionDir(id));
            removed.add(id);
        }
        List<Tracked> stale = sessions.values().stream()
                .filter(t -> t.session.expired(now) && !expired.contains(t.session.meta().id())).toList();
        if (!stale.isEmpty()) { // removed by another node, or renewed there since this one looked
            List<String> open = rows.existing(stale.stream().map(t -> t.session.meta().id()).toList());
            stale.stream().filter(t -> !open.contains(t.session.meta().id())).forEach(this::forget);
        }
        rows.forgetBefore(now.minus(ttl));
        for (String name : tmp.list()) {
            Optional<PosixFileAttributes> attrs = tmp.stat(name);
            if (attrs.isPresent() && attrs.get().lastModifiedTime().toInstant().plus(ttl).isBefore(now)) {
                tmp.deleteTree(name); // itself: a link there is removed, never followed
            }
        }
        return removed;
    }

    /** Expires a session this node holds once a finish running on it here ends (it holds the session's monitor). */
    private String expireAfterFinish(Session session, Instant now) throws IOException {
        synchronized (session) {
            return rows.expire(session.meta().id(), now);
        }
    }

    /** The database this store keeps its sessions in (the shared catalog lives there too). */
    public SessionDatabase database() {
        return db;
    }

    /** Whether the database answers now (for /health). */
    public boolean databaseReachable() {
        return db.reachable();
    }

    @Override
    public void close() {
        db.close();
        files.close();
        tmp.close();
    }

    /**
     * Under a session-level advisory lock of the database: a finish on another node waits for this one. The
     * lock holds a connection for the whole finish, so at most half the pool's connections are held by
     * finishes; more finishes at once wait here, leaving the rest for the work they and uploads do.
     */
    @Override
    public <T> T exclusively(String id, BooleanSupplier asked, Exclusive<T> finish) throws IOException {
        long deadline = System.nanoTime() + finishWait.toNanos();
        try {
            while (!finishing.tryAcquire(LOCK_POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                stillWaiting(id, asked, deadline);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to finish session " + id);
        }
        try {
            return locked(id, asked, finish, deadline);
        } finally {
            finishing.release();
        }
    }

    /** Throws when a finish waiting for a lock should wait no more: its client hung up, or the finish wait is over. */
    private void stillWaiting(String id, BooleanSupplier asked, long deadline) {
        if (!asked.getAsBoolean()) {
            throw new io.caravan.session.RequestRejectedException(503, "client_gone", "the client of the finish of session "
                    + id + " hung up while it waited for another finish; nothing was done (ask again)");
        }
        if (System.nanoTime() >= deadline) {
            throw busy(id);
        }
    }

    /**
     * How long a finish waits for the session's lock (another finish of it, on this node or another) and for the
     * pool's share of finishes before it is answered 503 busy: a node whose finish stops going on (a long pause,
     * a frozen VM, a partition that keeps its database connection) holds no other node's request threads for good.
     * Default {@link #FINISH_WAIT}.
     */
    public PostgresSessionStore finishWait(Duration wait) {
        this.finishWait = wait;
        return this;
    }

    private io.caravan.session.RequestRejectedException busy(String id) {
        return new io.caravan.session.RequestRejectedException(503, "busy", "session " + id + " is being finished by"
                + " another request (on this node or another) that has not ended within " + finishWait.toSeconds()
                + " s; ask again: a finish answers the session's result once that one has ended");
    }

    private <T> T locked(String id, BooleanSupplier asked, Exclusive<T> finish, long deadline) throws IOException {
        try (Connection c = db.connection()) {
            if (!advisoryLock(c, id.hashCode(), SESSION_LOCK, () -> {
                stillWaiting(id, asked, deadline);
                return true;
            }, id)) {
                throw busy(id);
            }
            Integer[] name = {null};
            try {
                // on the finish's own connection: a finish waiting for a name holds no second connection of the pool
                return finish.run(published -> {
                    if (name[0] != null) {
                        throw new IllegalStateException("a finish publishes one name");
                    }
                    try {
                        long nameDeadline = System.nanoTime() + finishWait.toNanos();
                        if (!advisoryLock(c, published.hashCode(), NAME_LOCK, () -> {
                            stillWaiting(id, asked, Long.MAX_VALUE);
                            return System.nanoTime() < nameDeadline;
                        }, id)) {
                            throw nameBusy(published);
                        }
                    } catch (SQLException e) {
                        throw SessionDatabase.failure("locking the name '" + published + "' of session " + id, e);
                    }
                    name[0] = published.hashCode();
                });
            } finally {
                unlockOrDrop(c, name[0], id);
            }
        } catch (SQLException e) {
            throw SessionDatabase.failure("locking the finish of session " + id, e);
        }
    }

    private io.caravan.session.RequestRejectedException nameBusy(String name) {
        return new io.caravan.session.RequestRejectedException(503, "busy", "another finish publishing '"
                + io.caravan.fs.NameRules.printable(name) + "' (on this node or another) has not ended within "
                + finishWait.toSeconds() + " s; ask again: this finish then publishes after it");
    }

    /**
     * Takes the session-level advisory lock ({@code key}, {@code space}) on {@code c}, polling while {@code waiting}
     * says to go on (it may throw instead); whether it got it.
     */
    private static boolean advisoryLock(Connection c, int key, int space, BooleanSupplier waiting, String id)
            throws SQLException, IOException {
        try (PreparedStatement lock = c.prepareStatement("SELECT pg_try_advisory_lock(?, ?)")) {
            lock.setInt(1, key);
            lock.setInt(2, space);
            while (true) {
                try (ResultSet rs = lock.executeQuery()) {
                    if (rs.next() && rs.getBoolean(1)) {
                        return true;
                    }
                }
                if (!waiting.getAsBoolean()) {
                    return false;
                }
                try {
                    Thread.sleep(LOCK_POLL_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting to finish session " + id);
                }
            }
        }
    }

    /**
     * Lets go of the finish's locks on {@code c}; when that fails, {@code c} is dropped instead of going back to the
     * pool still holding a lock (the database lets go of a closed connection's locks), and nothing is thrown over
     * the finish's own outcome.
     */
    private static void unlockOrDrop(Connection c, Integer name, String id) {
        try {
            if (name != null) {
                advisoryUnlock(c, name, NAME_LOCK);
            }
            advisoryUnlock(c, id.hashCode(), SESSION_LOCK);
        } catch (SQLException | RuntimeException e) {
            LOG.warn("the locks of the finish of session {} could not be let go ({}): its database connection is closed"
                    + " instead, which lets go of them", id, e.toString());
            try {
                c.abort(Runnable::run);
            } catch (SQLException | RuntimeException ignored) {
                // the connection is broken either way: the pool drops it
            }
        }
    }

    private static void advisoryUnlock(Connection c, int key, int space) throws SQLException {
        try (PreparedStatement unlock = c.prepareStatement("SELECT pg_advisory_unlock(?, ?)")) {
            unlock.setInt(1, key);
            unlock.setInt(2, space);
            unlock.execute();
        }
    }
}
