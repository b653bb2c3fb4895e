package io.caravan.session;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.unpack.Staging;
import io.caravan.util.AlignedBuffers;
import io.caravan.util.DirectFileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Upload sessions as folders on disk: {@code sessions/<id>/meta.json} and
 * {@code sessions/<id>/chunks/<index>-<sha256>.chunk}. A chunk is hashed while it is written to a
 * temporary file, fsynced and renamed under its index and hash, so a crash never leaves a chunk
 * that looks complete but is not, and the store is rebuilt exactly from the folder names after a
 * restart. Expired sessions leave a tombstone so they answer 410, not 404. Chunk files bypass the
 * page cache where the file system allows ({@link ChunkFileWriter}); a body that a listener will
 * read next stays in memory for it ({@link #open}), within the read-ahead budget.
 */
public final class DiskSessionStore {

    private static final Pattern CHUNK_NAME = Pattern.compile("(\\d{8})-([0-9a-f]{64})\\.chunk");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Aligned buffers for direct writes: as many chunk writes at once go around the page cache. */
    private static final int WRITE_BUFFERS = 8;
    /** Aligned buffers for reading chunk files back directly (one per extraction reading from disk). */
    private static final int READ_BUFFERS = 2;
    /** A kept body not read within this long gives way when the read-ahead budget is spent. */
    private static final Duration HELD_FOR = Duration.ofSeconds(10);

    private final Path sessionsDir;
    private final Path expiredDir;
    private final Path finishedDir;
    private final Duration ttl;
    private final SessionLimits limits;
    private final Clock clock;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final ChunkFileWriter writer;
    /** Chunk files were written around the page cache: read back the same way, one buffer per reader. */
    private final AlignedBuffers readBuffers;
    private final AtomicLong heldBytes = new AtomicLong();
    private volatile long lastChunkNanos = System.nanoTime();

    public DiskSessionStore(Path root, Duration ttl, SessionLimits limits, Clock clock) throws IOException {
        this.sessionsDir = Files.createDirectories(root.resolve("sessions"));
        this.expiredDir = Files.createDirectories(root.resolve("expired"));
        this.finishedDir = Files.createDirectories(root.resolve("finished"));
        this.ttl = ttl;
        this.limits = limits;
        this.clock = clock;
        this.writer = new ChunkFileWriter(new AlignedBuffers(limits.directIo() ? WRITE_BUFFERS : 0));
        this.readBuffers = new AlignedBuffers(limits.directIo() ? READ_BUFFERS : 0);
        load();
    }

    public Duration ttl() {
        return ttl;
    }

    public SessionLimits limits() {
        return limits;
    }

    /** Whether no chunk has arrived for at least {@code quiet} (background work may run). */
    public boolean quietFor(Duration quiet) {
        return System.nanoTime() - lastChunkNanos >= quiet.toNanos();
    }

    public Collection<Session> sessions() {
        return sessions.values();
    }

    /** Rebuilds the sessions from disk: metadata files and chunk file names; drops temp files and duplicates. */
    private void load() throws IOException {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(sessionsDir)) {
            for (Path dir : dirs) {
                Path meta = dir.resolve("meta.json");
                if (!Files.isRegularFile(meta)) {
                    Staging.deleteTree(dir);
                    continue;
                }
                Session session = new Session(JSON.readValue(meta.toFile(), SessionMeta.class), dir);
                loadChunks(session);
                sessions.put(session.meta().id(), session);
            }
        }
    }

    private static void loadChunks(Session session) throws IOException {
        Files.createDirectories(session.chunkDir());
        Map<Integer, FileTime> newest = new HashMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(session.chunkDir())) {
            for (Path file : files) {
                Matcher m = CHUNK_NAME.matcher(file.getFileName().toString());
                if (!m.matches()) {
                    Files.delete(file);
                    continue;
                }
                int index = Integer.parseInt(m.group(1));
                FileTime mtime = Files.getLastModifiedTime(file);
                StoredChunk earlier = session.chunk(index);
                if (earlier != null && newest.get(index).compareTo(mtime) > 0) {
                    Files.delete(file);
                    continue;
                }
                if (earlier != null) {
                    Files.delete(earlier.file());
                }
                newest.put(index, mtime);
                session.mutableChunks().put(index, new StoredChunk(index, m.group(2), Files.size(file), file));
            }
        }
    }

    public Session create(String name, String kind, String codec, Long chunkSize, String onConflict) throws IOException {
        return create(name, kind, codec, chunkSize, onConflict, null);
    }

    /** A new session; {@code mode} is null, or {@link SessionMeta#APPLY} for a mirror parcel. */
    public Session create(String name, String kind, String codec, Long chunkSize, String onConflict, String mode)
            throws IOException {
        return create(name, kind, codec, chunkSize, onConflict, mode, false, false);
    }

    /** A new session; {@code into} and {@code force} say how its name is placed (see {@link SessionMeta}). */
    public Session create(String name, String kind, String codec, Long chunkSize, String onConflict, String mode,
                          boolean into, boolean force) throws IOException {
        long open = sessions.values().stream().filter(s -> !s.expired(clock.instant())).count();
        if (open >= limits.maxOpenSessions()) {
            throw new RequestRejectedException(429, "too_many_sessions", "the receiver already has " + open
                    + " open sessions (the limit): finish or delete some, or wait for them to expire");
        }
        checkFreeSpace(0);
        SessionId id = SessionId.random();
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        SessionMeta meta = new SessionMeta(id.value(), name, kind, codec, chunkSize, onConflict,
                now.toString(), now.plus(ttl).toString(), mode, into ? Boolean.TRUE : null, force ? Boolean.TRUE : null);
        Path dir = Files.createDirectories(sessionsDir.resolve(id.value()).resolve("chunks")).getParent();
        DurableFiles.writeString(dir.resolve("meta.json"), JSON.writeValueAsString(meta));
        DurableFiles.syncDir(sessionsDir);
        Session session = new Session(meta, dir);
        sessions.put(id.value(), session);
        return session;
    }

    /** The open session with that id; 404 if unknown, 410 if expired. */
    public Session get(String id) {
        SessionId sid = new SessionId(id);
        Session session = sessions.get(sid.value());
        if (session == null) {
            Path tombstone = expiredDir.resolve(sid.value());
            if (Files.exists(tombstone)) {
                throw new SessionExpiredException(sid.value(), readQuietly(tombstone));
            }
            throw new SessionNotFoundException(sid.value());
        }
        if (session.expired(clock.instant())) {
            throw new SessionExpiredException(sid.value(), session.meta().expiresAt());
        }
        return session;
    }

    /** The result recorded when session {@code id} was finished, if it was. */
    public Optional<String> finishedResult(String id) {
        Path file = finishedDir.resolve(new SessionId(id).value() + ".json");
        return Files.isRegularFile(file) ? Optional.of(readQuietly(file)) : Optional.empty();
    }

    /**
     * Stores {@code body} as chunk {@code index}: hashed while written, checked against
     * {@code expectedSha256} (if given), fsynced, then renamed into place. An identical body is a
     * no-op; a different one replaces the old chunk.
     */
    public ChunkWrite write(Session session, int index, ByteBuffer body, String expectedSha256) throws IOException {
        return write(session, index, new ByteBuffer[] {body}, expectedSha256);
    }

    /** The same for a body in several buffers, as Netty holds it. */
    public ChunkWrite write(Session session, int index, ByteBuffer[] body, String expectedSha256) throws IOException {
        return write(session, index, ChunkBody.of(body), expectedSha256);
    }

    /**
     * The same for a request body that may be kept after the request: when a listener will read
     * this chunk next, the body stays in memory for it (within the read-ahead budget).
     */
    public ChunkWrite write(Session session, int index, ChunkBody body, String expectedSha256) throws IOException {
        long length = body.length();
        checkChunk(session, index, length);
        lastChunkNanos = System.nanoTime();
        Path tmp = DurableFiles.tempIn(session.chunkDir());
        String sha;
        try {
            sha = writer.write(tmp, body.buffers(), length);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throwIfRemoved(session);
            throw e;
        }
        if (expectedSha256 != null && !expectedSha256.equalsIgnoreCase(sha)) {
            Files.deleteIfExists(tmp);
            throw new ChunkDigestMismatchException(session.meta().id(), index, expectedSha256, sha);
        }
        ChunkWrite result = commit(session, index, tmp, sha, body, length);
        if (result.outcome() != ChunkWrite.Outcome.IDENTICAL) {
            for (SessionListener listener : session.listeners()) {
                listener.chunkStored(session, index, result.outcome() == ChunkWrite.Outcome.REPLACED);
            }
        }
        return result;
    }

    /**
     * Reads a stored chunk: from the body kept in memory when a listener wanted it (let go on
     * close), else from its file.
     */
    public InputStream open(Session session, StoredChunk chunk) throws IOException {
        HeldBody held = session.takeHeld(chunk);
        if (held != null) {
            return new HeldBodyInputStream(held, () -> letGo(held));
        }
        return DirectFileInputStream.open(chunk.file(), readBuffers);
    }

    /** Bytes of chunk bodies kept in memory for readers right now. */
    public long heldBytes() {
        return heldBytes.get();
    }

    private ChunkWrite commit(Session session, int index, Path tmp, String sha, ChunkBody body, long length)
            throws IOException {
        synchronized (session) {
            if (session.removed()) {
                Files.deleteIfExists(tmp);
                throwIfRemoved(session);
            }
            StoredChunk existing = session.chunk(index);
            if (existing != null && existing.sha256().equals(sha)) {
                Files.deleteIfExists(tmp);
                return new ChunkWrite(existing, ChunkWrite.Outcome.IDENTICAL);
            }
            Path file = session.chunkDir().resolve(String.format("%08d-%s.chunk", index, sha));
            DurableFiles.moveDurably(tmp, file);
            if (existing != null) {
                Files.deleteIfExists(existing.file());
            }
            // the body is kept before the chunk is listed, so a reader that sees the chunk finds it in memory
            letGo(keep(session, index, sha, body, length) ? null : session.release(index));
            StoredChunk stored = new StoredChunk(index, sha, length, file);
            session.mutableChunks().put(index, stored);
            return new ChunkWrite(stored, existing == null ? ChunkWrite.Outcome.CREATED : ChunkWrite.Outcome.REPLACED);
        }
    }

    private boolean keep(Session session, int index, String sha, ChunkBody body, long length) {
        if (body.keeper() == null || session.listeners().stream().noneMatch(l -> l.wantsBody(session, index))) {
            return false;
        }
        if (heldBytes.addAndGet(length) > limits.readAheadBytes()) {
            heldBytes.addAndGet(-length);
            // bodies waiting for a reader that stalled (a chunk before them missing) give way to live ones
            long before = clock.millis() - HELD_FOR.toMillis();
            sessions.values().forEach(other -> other.dropHeldBefore(before).forEach(this::letGo));
            if (heldBytes.addAndGet(length) > limits.readAheadBytes()) {
                heldBytes.addAndGet(-length);
                return false;
            }
        }
        ByteBuffer[] views = new ByteBuffer[body.buffers().length];
        for (int i = 0; i < views.length; i++) {
            views[i] = body.buffers()[i].duplicate();
        }
        letGo(session.hold(index, new HeldBody(sha, views, length, body.keeper().get(), clock.millis())));
        return true;
    }

    private void letGo(HeldBody body) {
        if (body != null) {
            heldBytes.addAndGet(-body.length());
            body.release().run();
        }
    }

    private void checkChunk(Session session, int index, long length) throws IOException {
        if (index < 0 || index > 99_999_999) {
            throw RequestRejectedException.badRequest("chunk index " + index + " is out of range (0 to 99999999)");
        }
        if (length > limits.maxChunkSize()) {
            throw new RequestRejectedException(413, "chunk_too_large", "chunk " + index + " is " + length
                    + " bytes; this receiver accepts at most " + limits.maxChunkSize() + " bytes per chunk");
        }
        StoredChunk existing = session.chunk(index);
        long after = session.bytes() - (existing == null ? 0 : existing.size()) + length;
        if (after > limits.maxSessionBytes()) {
            throw new RequestRejectedException(413, "session_too_large", "session " + session.meta().id()
                    + " would hold " + after + " bytes; the limit is " + limits.maxSessionBytes());
        }
        checkFreeSpace(length);
    }

    private void checkFreeSpace(long needed) throws IOException {
        long usable = Files.getFileStore(sessionsDir).getUsableSpace();
        if (usable - needed < limits.minFreeBytes()) {
            throw new RequestRejectedException(507, "insufficient_storage", "the receiver's disk has " + usable
                    + " bytes free, below its floor of " + limits.minFreeBytes() + "; nothing was stored, retry later");
        }
    }

    /** Removes a session and its chunks (DELETE, or after a successful finish with its result). */
    public void remove(Session session, String finishedResult) throws IOException {
        synchronized (session) {
            if (finishedResult != null) {
                DurableFiles.writeString(finishedDir.resolve(session.meta().id() + ".json"), finishedResult);
            }
            session.markRemoved();
            sessions.remove(session.meta().id());
        }
        session.dropHeld().forEach(this::letGo);
        session.listeners().forEach(l -> l.closed(session));
        for (int attempt = 1; ; attempt++) {
            try {
                Staging.deleteTree(session.dir());
                return;
            } catch (DirectoryNotEmptyException e) {
                // an upload that was writing its temp file when the session went away; it fails with 404/410
                if (attempt == 10) {
                    throw e;
                }
            }
        }
    }

    /** An upload to a session removed meanwhile answers as a request to a removed session would: 410 or 404. */
    private void throwIfRemoved(Session session) {
        if (session.removed()) {
            get(session.meta().id());
            throw new SessionNotFoundException(session.meta().id());
        }
    }

    /** Deletes expired sessions (leaving tombstones) and tombstones and results older than a lifetime. */
    public List<String> expire() throws IOException {
        Instant now = clock.instant();
        List<String> removed = new ArrayList<>();
        for (Session session : List.copyOf(sessions.values())) {
            if (session.expired(now)) {
                DurableFiles.writeString(expiredDir.resolve(session.meta().id()), session.meta().expiresAt());
                remove(session, null);
                removed.add(session.meta().id());
            }
        }
        for (Path dir : List.of(expiredDir, finishedDir)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                for (Path file : files) {
                    if (Files.getLastModifiedTime(file).toInstant().plus(ttl).isBefore(now)) {
                        Files.deleteIfExists(file);
                    }
                }
            }
        }
        return removed;
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "?";
        }
    }
}
