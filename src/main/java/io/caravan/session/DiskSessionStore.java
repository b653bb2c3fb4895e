package io.caravan.session;

import io.caravan.fs.ConfinedDir;
import io.caravan.util.AlignedBuffers;
import io.caravan.util.DirectFileInputStream;
import io.caravan.util.FileDescriptors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link SessionStore} as folders on one disk ({@link SessionFolders}). A chunk is hashed while
 * it is written to a temporary file, forced to disk if the {@link Durability} says so, and renamed under
 * its index and hash, so a crash of the process never leaves a chunk that looks complete but is not,
 * and the store is rebuilt from the folder names after a restart (re-hashing them after a reboot that
 * may have torn unforced chunks, see {@link BootRecord}). Expired sessions leave a tombstone so they answer 410, not 404. Chunk files
 * bypass the page cache where the file system allows ({@link ChunkFileWriter}); a body that a
 * listener will read next stays in memory for it ({@link #open}), within the {@link ReadAheadBudget}.
 * The store's folders are held open, and each session's folder and chunk folder ({@link SessionFolder})
 * while it is used and as long as {@link OpenSessionFolders} lets it stay open (a bounded number, however
 * many sessions there are); every file below them is reached through them, never through a link; its own files are read as
 * regular files within a bound, so what a local user plants there (a link, a pipe, a huge file) is
 * refused or dropped with a warning, never followed, waited on or read whole. {@link #close} lets go of them.
 */
public final class DiskSessionStore implements SessionStore, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DiskSessionStore.class);

    /** Aligned buffers for direct writes: as many chunk writes at once go around the page cache. */
    private static final int WRITE_BUFFERS = 8;
    /** Aligned buffers for reading chunk files back directly (one per extraction reading from disk). */
    private static final int READ_BUFFERS = 2;

    /** The state folder and the store's folders in it, held open: none of them is reached by its path again. */
    /** The state folder as configured, for messages. */
    private final Path root;
    private final ConfinedDir state;
    private final ConfinedDir sessionsDir;
    private final ConfinedDir expiredDir;
    private final ConfinedDir finishedDir;
    private final Duration ttl;
    private final SessionLimits limits;
    private final LimitChecks checks;
    private final Clock clock;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final OpenSessionFolders openFolders;
    private final ChunkFileWriter writer;
    /** Chunk files were written around the page cache: read back the same way, one buffer per reader. */
    private final AlignedBuffers readBuffers;
    private final ReadAheadBudget readAhead;
    private final UploadActivity activity = new UploadActivity();
    /** Sessions being created now, each counted against the open-session limit until it is listed (its monitor guards it). */
    private final long[] starting = new long[1];
    private final Durability durability;
    private final Syncer syncer;
    /** Whether the rebuild re-hashed the chunks because the machine restarted since they were stored unforced. */
    private boolean rebooted;

    public DiskSessionStore(Path root, Duration ttl, SessionLimits limits, Clock clock) throws IOException {
        this(root, ttl, limits, clock, Durability.DEFAULT);
    }

    public DiskSessionStore(Path root, Duration ttl, SessionLimits limits, Clock clock, Durability durability)
            throws IOException {
        this.openFolders = OpenSessionFolders.forLimit(FileDescriptors.now().max());
        List<ConfinedDir> opened = new ArrayList<>();
        try {
            opened.add(ConfinedDir.openStateFolder(root));
            for (String folder : List.of("sessions", "expired", "finished")) {
                opened.add(opened.get(0).openDirs(folder));
            }
        } catch (IOException | RuntimeException e) {
            opened.forEach(ConfinedDir::close);
            throw e;
        }
        this.root = root;
        this.state = opened.get(0);
        this.sessionsDir = opened.get(1);
        this.expiredDir = opened.get(2);
        this.finishedDir = opened.get(3);
        this.ttl = ttl;
        this.limits = limits;
        this.checks = new LimitChecks(limits, sessionsDir.self(), sessions::values);
        this.clock = clock;
        this.durability = durability;
        this.syncer = durability.syncer();
        this.writer = new ChunkFileWriter(new AlignedBuffers(limits.directIo() ? WRITE_BUFFERS : 0), durability);
        this.readBuffers = new AlignedBuffers(limits.directIo() ? READ_BUFFERS : 0);
        this.readAhead = new ReadAheadBudget(limits.readAheadBytes(), clock, sessions::values);
        try {
            rebuild();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Loads the sessions, re-hashing their chunks if they were stored unforced in an earlier boot of the
     * machine; forces them if this store promises more than the last one did; records this boot.
     */
    private void rebuild() throws IOException {
        BootRecord previous = BootRecord.read(state, why -> LOG.warn("{}: it is written anew, and stored chunks are"
                + " re-hashed as after a restart of the machine", why));
        String boot = syncer.bootId();
        boolean verify = previous != null && previous.mayBeTornIn(boot);
        rebooted = verify;
        // covered chunks were never forced: kept only while the page cache that holds their extraction is trusted
        boolean keepCovered = !verify && !durability.everyChunk();
        SessionFolders.Rebuilt rebuilt = SessionFolders.load(sessionsDir, openFolders, verify, keepCovered, syncer, limits,
                session -> sessions.put(session.meta().id(), session), LOG::warn);
        if (verify) {
            LOG.info("the machine restarted since chunks were stored with durability publish: re-hashed {} stored chunks,"
                    + " dropped {} whose bytes did not match their SHA-256 (their senders send them again)",
                    rebuilt.hashed(), rebuilt.dropped());
        }
        if (durability.everyChunk() && previous != null && previous.mode() == Durability.Mode.PUBLISH) {
            syncer.tree(sessionsDir.self()); // chunks stored unforced by the last store, before this one promises they survive
        }
        new BootRecord(boot, durability.mode()).write(state, syncer);
    }

    /** The most descriptors the store holds for session folders no request or extraction is using (two a session). */
    public int mostIdleFolderDescriptors() {
        return 2 * openFolders.bound();
    }

    @Override
    public Duration ttl() {
        return ttl;
    }

    @Override
    public Optional<Path> removedFolder() {
        if (state.removed() || !state.at(root)) { // removed, or moved away (another folder made in its place, or none)
            return Optional.of(root);
        }
        for (ConfinedDir dir : List.of(sessionsDir, expiredDir, finishedDir)) {
            if (dir.removed()) {
                // shown from the state folder's parent, the anchor it was opened from
                return Optional.of(root.toAbsolutePath().normalize().resolveSibling(dir.display()));
            }
        }
        return Optional.empty();
    }

    @Override
    public SessionLimits limits() {
        return limits;
    }

    @Override
    public UploadActivity activity() {
        return activity;
    }

    @Override
    public Collection<Session> sessions() {
        return sessions.values();
    }

    @Override
    public Session create(String name, String kind, String codec, Long chunkSize, String onConflict, String mode,
                          boolean into, boolean force, Long size) throws IOException {
        synchronized (starting) { // the check and the place it takes, as one step: starts at once never pass the limit
            checks.checkNewSession(sessions.values().stream().filter(s -> !s.expired(clock.instant())).count() + starting[0]);
            starting[0]++;
        }
        try {
            return createChecked(name, kind, codec, chunkSize, onConflict, mode, into, force, size);
        } finally {
            synchronized (starting) {
                starting[0]--;
            }
        }
    }

    /** {@link #create} once its place under the open-session limit is taken. */
    private Session createChecked(String name, String kind, String codec, Long chunkSize, String onConflict, String mode,
                                  boolean into, boolean force, Long size) throws IOException {
        SessionId id = SessionId.random();
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        SessionMeta meta = new SessionMeta(id.value(), name, kind, codec, chunkSize, onConflict,
                now.toString(), now.plus(ttl).toString(), mode, into ? Boolean.TRUE : null, force ? Boolean.TRUE : null, size);
        SessionFolder folder = createFolder(id.value());
        boolean positioned = !meta.archive() && chunkSize != null;
        try {
            if (positioned) {
                // empty, before the metadata, whose write forces the folder: a session found with both is one whose log is the truth
                folder.dir().create(ChunkLog.NAME).close();
            }
            DurableFiles.writeString(folder.dir(), SessionFolders.META, SessionFolders.JSON.writeValueAsString(meta), syncer);
            syncer.folder(sessionsDir.self());
        } catch (IOException | RuntimeException e) {
            folder.close();
            folder.leave();
            sessionsDir.deleteTree(id.value());
            throw e;
        }
        folder.leave();
        Session session = new Session(meta, folder);
        if (positioned) {
            session.positions(new PositionedWrites(false));
        }
        sessions.put(id.value(), session);
        return session;
    }

    /** A new session's folder and chunk folder, created and opened (never through a link), entered: the caller leaves. */
    private SessionFolder createFolder(String id) throws IOException {
        sessionsDir.mkdir(id);
        ConfinedDir dir = null;
        try {
            dir = sessionsDir.openDir(id);
            dir.mkdir(SessionFolders.CHUNKS);
            return SessionFolder.entered(openFolders, sessionsDir, id, dir, dir.openDir(SessionFolders.CHUNKS));
        } catch (IOException | RuntimeException e) {
            if (dir != null) {
                dir.close();
            }
            try {
                sessionsDir.deleteTree(id); // a folder without metadata, which a start would remove anyway
            } catch (IOException | RuntimeException notNow) {
                e.addSuppressed(notNow);
            }
            throw e;
        }
    }

    @Override
    public Session get(String id) {
        return get(id, clock.instant());
    }

    @Override
    public Session get(String id, Instant asOf) {
        SessionId sid = new SessionId(id);
        Session session = sessions.get(sid.value());
        if (session == null) {
            if (stat(expiredDir, sid.value()).isPresent()) {
                throw new SessionExpiredException(sid.value(), SessionFolders.readQuietly(expiredDir, sid.value()));
            }
            throw new SessionNotFoundException(sid.value());
        }
        if (session.expired(asOf)) {
            throw new SessionExpiredException(sid.value(), session.meta().expiresAt());
        }
        return session;
    }

    @Override
    public Optional<String> finishedResult(String id) {
        String name = new SessionId(id).value() + ".json";
        return stat(finishedDir, name).filter(PosixFileAttributes::isRegularFile).isPresent()
                ? Optional.of(SessionFolders.readQuietly(finishedDir, name)) : Optional.empty();
    }

    /** The entry {@code name} of {@code dir} itself (a link is not followed); empty when absent or unreadable. */
    private static Optional<PosixFileAttributes> stat(ConfinedDir dir, String name) {
        try {
            return dir.stat(name);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @Override
    public ChunkWrite write(Session session, int index, ChunkBody body, String expectedSha256) throws IOException {
        long length = body.length();
        checks.checkChunk(session, index, length);
        activity.chunkArriving();
        SessionFolder folder = enter(session);
        try {
            ChunkWrite written = writeEntered(session, folder, index, body, expectedSha256, length);
            renewIfDue(session, folder);
            return written;
        } finally {
            folder.leave();
        }
    }

    @Override
    public void renew(Session session) throws IOException {
        if (session.renewal(clock.instant(), ttl).isEmpty()) {
            return;
        }
        SessionFolder folder = session.folder();
        if (!folder.enter()) {
            return; // removed
        }
        try {
            renewIfDue(session, folder);
        } finally {
            folder.leave();
        }
    }

    /** Renews the session's lifetime if the chunk just stored is due to ({@link Session#renewal}): its metadata, durable, then in memory. */
    private void renewIfDue(Session session, SessionFolder folder) throws IOException {
        Instant now = clock.instant();
        if (session.renewal(now, ttl).isEmpty()) {
            return;
        }
        synchronized (session) { // as the expiry and other changes of the metadata
            Optional<SessionMeta> renewed = session.renewal(now, ttl);
            if (session.removed() || renewed.isEmpty()) {
                return;
            }
            DurableFiles.writeString(folder.dir(), SessionFolders.META, SessionFolders.JSON.writeValueAsString(renewed.get()), syncer);
            session.meta(renewed.get());
        }
    }

    /**
     * The session's folders, open and in use until {@link SessionFolder#leave}; a removed session answers 410
     * or 404, one whose folders cannot be opened again (a link in their place) fails with why.
     */
    private SessionFolder enter(Session session) throws IOException {
        SessionFolder folder = session.folder();
        if (!folder.enter()) {
            throwIfRemoved(session);
            throw new SessionNotFoundException(session.meta().id());
        }
        return folder;
    }

    private ChunkWrite writeEntered(Session session, SessionFolder folder, int index, ChunkBody body, String expectedSha256, long length)
            throws IOException {
        StoredChunk existing = session.chunk(index);
        boolean replacesCovered = false;
        if (existing != null && existing.covered()) {
            ChunkWrite identical = coveredAgain(session, existing, body, expectedSha256);
            if (identical != null) {
                return identical;
            }
            // other content for a chunk the extraction read from its body: it starts again from chunk 0, which needs
            // the bytes of every covered chunk, never kept: they are dropped (the sender sends them again)
            dropCovered(session, folder);
            replacesCovered = true;
        }
        PositionedWrites positions = session.positions();
        // a position only inside the bytes a session may hold: a far index never makes a huge sparse file
        ChunkWrite result = positions != null && length > 0 && length <= session.meta().chunkSize()
                && (index + 1L) * session.meta().chunkSize() <= limits.maxSessionBytes()
                && positions.claim(index, session.chunk(index) != null)
                ? writeAtPosition(session, positions, index, body, expectedSha256)
                : writeOwnFile(session, index, body, expectedSha256);
        if (replacesCovered && result.outcome() == ChunkWrite.Outcome.CREATED) {
            result = new ChunkWrite(result.chunk(), ChunkWrite.Outcome.REPLACED);
        }
        if (result.outcome() != ChunkWrite.Outcome.IDENTICAL) {
            for (SessionListener listener : session.listeners()) {
                listener.chunkStored(session, index, result.outcome() == ChunkWrite.Outcome.REPLACED);
            }
        }
        return result;
    }

    /** A covered chunk sent again: identical with its hash (nothing written); null with other content. */
    private static ChunkWrite coveredAgain(Session session, StoredChunk covered, ChunkBody body, String expectedSha256) {
        String sha = body.sha256();
        if (expectedSha256 != null && !expectedSha256.equalsIgnoreCase(sha)) {
            throw new ChunkDigestMismatchException(session.meta().id(), covered.index(), expectedSha256, sha);
        }
        return sha.equals(covered.sha256()) ? new ChunkWrite(covered, ChunkWrite.Outcome.IDENTICAL) : null;
    }

    private static RequestRejectedException coveredConflict(Session session, StoredChunk covered) {
        return new RequestRejectedException(409, "chunk_extracted", "chunk " + covered.index() + " of session "
                + session.meta().id() + " was received with SHA-256 " + covered.sha256() + " and is extracted already;"
                + " it cannot be replaced by other content: start a new session to send other content",
                Map.of("index", covered.index(), "sha256", covered.sha256()));
    }

    @Override
    public boolean coversChunks() {
        return !durability.everyChunk();
    }

    @Override
    public boolean cover(Session session, int index, String sha256, long size, long coveredTo) throws IOException {
        if (!coversChunks() || !session.meta().archive() || coveredTo <= 0 || coveredTo > size) {
            return false;
        }
        SessionFolder folder = enter(session);
        try {
            synchronized (session.coverLock()) {
                throwIfRemoved(session);
                if (session.chunk(index) != null) {
                    return false;
                }
                Path tail = SessionFolders.tailEntry(index, sha256);
                if (coveredTo < size && Files.size(session.fileOf(tail)) != size - coveredTo) {
                    return false; // its tail was not written whole
                }
                checks.checkChunkCount(session, index);
                ChunkLog.append(session.dir(), ChunkLog.Line.covered(index, sha256, size, coveredTo), false, syncer);
                session.list(coveredTo < size ? StoredChunk.coveredWithTail(index, sha256, size, coveredTo, tail)
                        : StoredChunk.covered(index, sha256, size));
                return true;
            }
        } finally {
            folder.leave();
        }
    }

    @Override
    public void writeTail(Session session, int index, String sha256, java.nio.ByteBuffer[] tail) throws IOException {
        long length = 0;
        for (java.nio.ByteBuffer part : tail) {
            length += part.remaining();
        }
        SessionFolder folder = enter(session);
        try {
            throwIfRemoved(session);
            Path tmp = DurableFiles.tempIn(session.chunkDir());
            try {
                writer.write(tmp, tail, length);
                DurableFiles.move(tmp, session.fileOf(SessionFolders.tailEntry(index, sha256)));
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(tmp);
                throw e;
            }
        } finally {
            folder.leave();
        }
    }

    @Override
    public void dropTail(Session session, int index, String sha256) {
        try {
            SessionFolder folder = enter(session);
            try {
                synchronized (session.coverLock()) {
                    StoredChunk listed = session.chunk(index);
                    if (listed == null || !listed.hasTail()) {
                        Files.deleteIfExists(session.fileOf(SessionFolders.tailEntry(index, sha256)));
                    }
                }
            } finally {
                folder.leave();
            }
        } catch (IOException | RuntimeException e) {
            // what is left goes at the next start, with every tail no line names
        }
    }

    @Override
    public InputStream openTail(Session session, StoredChunk chunk) throws IOException {
        if (!chunk.hasTail()) {
            throw new java.io.FileNotFoundException("chunk " + chunk.index() + " of session " + session.meta().id()
                    + " has no tail kept");
        }
        SessionFolder folder = enter(session);
        try {
            return DirectFileInputStream.open(session.fileOf(chunk.file()), 0, chunk.size() - chunk.coveredTo(), readBuffers);
        } finally {
            folder.leave();
        }
    }

    @Override
    public List<Integer> uncover(Session session) throws IOException {
        SessionFolder folder = enter(session);
        try {
            return dropCovered(session, folder);
        } finally {
            folder.leave();
        }
    }

    /** Drops every covered chunk of {@code session} (and its tail), entered; answers their indexes. */
    private List<Integer> dropCovered(Session session, SessionFolder folder) throws IOException {
        synchronized (session.coverLock()) {
            List<Integer> dropped = session.chunks().values().stream().filter(StoredChunk::covered)
                    .map(StoredChunk::index).toList();
            if (!dropped.isEmpty()) {
                ChunkLog.rewrite(folder.dir(), List.of(), syncer); // an archive session's log holds covered chunks only
                for (int index : dropped) {
                    StoredChunk gone = session.unlist(index);
                    if (gone != null && gone.hasTail()) {
                        Files.deleteIfExists(session.fileOf(gone.file()));
                    }
                }
            }
            return dropped;
        }
    }

    @Override
    public boolean startedAfterReboot() {
        return rebooted;
    }

    /** The body into a file of its own, renamed under its index and hash. */
    private ChunkWrite writeOwnFile(Session session, int index, ChunkBody body, String expectedSha256) throws IOException {
        long length = body.length();
        Path tmp = DurableFiles.tempIn(session.chunkDir());
        String sha;
        try {
            sha = writer.write(tmp, body);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throwIfRemoved(session);
            throw e;
        }
        if (expectedSha256 != null && !expectedSha256.equalsIgnoreCase(sha)) {
            Files.deleteIfExists(tmp);
            throw new ChunkDigestMismatchException(session.meta().id(), index, expectedSha256, sha);
        }
        return commit(session, index, tmp, sha, body, length);
    }

    /**
     * The body at its position in the session's data file (claimed, so no other write shares the
     * region), committed by a line in the chunk log: no other copy of it is ever written.
     */
    private ChunkWrite writeAtPosition(Session session, PositionedWrites positions, int index, ChunkBody body,
                                       String expectedSha256) throws IOException {
        long length = body.length();
        long offset = index * session.meta().chunkSize();
        try {
            String sha;
            try {
                sha = writer.writeAt(SessionFolders.dataFile(session), offset, body);
            } catch (IOException e) {
                throwIfRemoved(session);
                throw e;
            } finally {
                positions.written();
            }
            if (expectedSha256 != null && !expectedSha256.equalsIgnoreCase(sha)) {
                throw new ChunkDigestMismatchException(session.meta().id(), index, expectedSha256, sha);
            }
            synchronized (session) {
                throwIfRemoved(session);
                boolean wanted = wanted(session, index);
                synchronized (session.coverLock()) {
                    StoredChunk existing = session.chunk(index);
                    if (existing != null && existing.sha256().equals(sha)) {
                        return new ChunkWrite(existing, ChunkWrite.Outcome.IDENTICAL);
                    }
                    checks.checkChunkCount(session, index); // its bytes stay unlisted in the data file, inside the session's bytes
                    ChunkLog.append(session.dir(), new ChunkLog.Line(true, index, sha, length), durability.everyChunk(), syncer);
                    StoredChunk stored = new StoredChunk(index, sha, length, SessionFolders.DATA_FILE, offset);
                    return listed(session, existing, stored, body, wanted);
                }
            }
        } finally {
            positions.release(index);
        }
    }

    /** From the body kept in memory when a listener wanted it (let go on close), else from its file. */
    @Override
    public InputStream open(Session session, StoredChunk chunk) throws IOException {
        if (chunk.covered()) {
            throw new java.io.FileNotFoundException("chunk " + chunk.index() + " of session " + session.meta().id()
                    + " was extracted from its request body and never kept as a file: its bytes are gone");
        }
        InputStream held = readAhead.open(session, chunk);
        if (held != null) {
            return held;
        }
        SessionFolder folder = enter(session);
        try {
            return DirectFileInputStream.open(session.fileOf(chunk.file()), chunk.offset(), chunk.size(), readBuffers);
        } finally {
            folder.leave();
        }
    }

    @Override
    public long heldBytes() {
        return readAhead.heldBytes();
    }

    private ChunkWrite commit(Session session, int index, Path tmp, String sha, ChunkBody body, long length)
            throws IOException {
        synchronized (session) {
            if (session.removed()) {
                Files.deleteIfExists(tmp);
                throwIfRemoved(session);
            }
            boolean wanted = wanted(session, index);
            synchronized (session.coverLock()) { // a cover of the index is listed before this looks, or finds this listed
                StoredChunk existing = session.chunk(index);
                if (existing != null && existing.sha256().equals(sha)) {
                    Files.deleteIfExists(tmp);
                    return new ChunkWrite(existing, ChunkWrite.Outcome.IDENTICAL);
                }
                if (existing != null && existing.covered()) {
                    Files.deleteIfExists(tmp); // covered while this body was written
                    throw coveredConflict(session, existing);
                }
                try {
                    checks.checkChunkCount(session, index);
                } catch (RequestRejectedException tooMany) {
                    Files.deleteIfExists(tmp);
                    throw tooMany;
                }
                Path entry = SessionFolders.chunkEntry(index, sha);
                Path file = session.fileOf(entry);
                if (durability.everyChunk()) {
                    DurableFiles.moveDurably(tmp, file, syncer);
                } else {
                    DurableFiles.move(tmp, file);
                }
                if (session.positions() != null) {
                    ChunkLog.append(session.dir(), new ChunkLog.Line(false, index, sha, length), durability.everyChunk(), syncer);
                }
                return listed(session, existing, new StoredChunk(index, sha, length, entry), body, wanted);
            }
        }
    }

    /**
     * Whether a listener (the session's extraction) wants chunk {@code index}'s body kept in memory; asked before
     * the cover lock is taken, which an extraction holding its own state takes to cover a chunk.
     */
    private static boolean wanted(Session session, int index) {
        return session.listeners().stream().anyMatch(l -> l.wantsBody(session, index));
    }

    /**
     * Lists {@code stored} in place of {@code existing} (whose own file goes), keeping the body if {@code wanted};
     * under the session's monitor and its cover lock.
     */
    private ChunkWrite listed(Session session, StoredChunk existing, StoredChunk stored, ChunkBody body, boolean wanted)
            throws IOException {
        if (existing != null && !existing.covered() && existing.offset() == 0 && !existing.file().equals(stored.file())
                && !existing.file().equals(SessionFolders.DATA_FILE)) {
            Files.deleteIfExists(session.fileOf(existing.file()));
        }
        // the body is kept before the chunk is listed, so a reader that sees the chunk finds it in memory
        readAhead.keepOrRelease(session, stored.index(), stored.sha256(), body, wanted);
        session.list(stored);
        return new ChunkWrite(stored, existing == null ? ChunkWrite.Outcome.CREATED : ChunkWrite.Outcome.REPLACED);
    }

    @Override
    public boolean linkAssembled(Session session, int count, Path target) throws IOException {
        PositionedWrites positions = session.positions();
        if (positions == null || count < 1) {
            return false;
        }
        SessionFolder folder = enter(session);
        try {
            return linkEntered(session, positions, count, target);
        } finally {
            folder.leave();
        }
    }

    private boolean linkEntered(Session session, PositionedWrites positions, int count, Path target) throws IOException {
        synchronized (session) {
            Path data = SessionFolders.dataFile(session);
            long length = 0;
            for (int i = 0; i < count; i++) {
                StoredChunk chunk = session.chunk(i);
                if (chunk == null || !chunk.file().equals(SessionFolders.DATA_FILE)
                        || i < count - 1 && chunk.size() != session.meta().chunkSize()) {
                    return false;
                }
                length += chunk.size();
            }
            if (!positions.sealed()) {
                DurableFiles.writeString(session.folder().dir(), SessionFolders.SEALED, "", syncer);
            }
            positions.seal();
            PosixFileAttributes dataAttrs = session.folder().dir().stat(SessionFolders.DATA).orElse(null);
            if (dataAttrs == null || !dataAttrs.isRegularFile() || dataAttrs.size() != length) {
                return false; // bytes of chunks beyond the count: the file is more than the parcel
            }
            try {
                Files.createLink(target, data);
            } catch (IOException | UnsupportedOperationException e) {
                LOG.info("session {}: its data file cannot be linked into staging ({}); its chunks are copied instead",
                        session.meta().id(), e.toString());
                return false;
            }
            return true;
        }
    }

    /** Removes a session and its chunks (DELETE, or after a successful finish with its result). */
    /** {@code meta.json} is written anew (temporary file, forced, renamed): a crash leaves the old or the new one. */
    @Override
    public void replacePublishOptions(Session session, String onConflict, boolean force) throws IOException {
        synchronized (session) {
            if (session.removed()) {
                throw new SessionNotFoundException(session.meta().id());
            }
            SessionMeta meta = session.meta().withPublishOptions(onConflict, force);
            SessionFolder folder = enter(session);
            try {
                DurableFiles.writeString(folder.dir(), SessionFolders.META, SessionFolders.JSON.writeValueAsString(meta), syncer);
            } finally {
                folder.leave();
            }
            session.meta(meta);
        }
    }

    @Override
    public void remove(Session session, String finishedResult) throws IOException {
        synchronized (session) {
            if (finishedResult != null) {
                DurableFiles.writeString(finishedDir, session.meta().id() + ".json", finishedResult, syncer);
            }
            session.markRemoved();
            sessions.remove(session.meta().id());
        }
        readAhead.releaseAll(session);
        session.listeners().forEach(l -> l.closed(session));
        // an upload writing its temp file meanwhile fails with 404/410: its folder is gone (never followed if a link)
        try {
            sessionsDir.deleteTree(session.meta().id());
        } finally {
            session.folder().close();
        }
    }

    /** An upload to a session removed meanwhile answers as a request to a removed session would: 410 or 404. */
    private void throwIfRemoved(Session session) {
        if (session.removed()) {
            get(session.meta().id());
            throw new SessionNotFoundException(session.meta().id());
        }
    }

    /** Deletes expired sessions (leaving tombstones; after a finish running on one, which may publish it) and tombstones and results older than a lifetime. */
    @Override
    public List<String> expire() throws IOException {
        Instant now = clock.instant();
        List<String> removed = new ArrayList<>();
        for (Session session : List.copyOf(sessions.values())) {
            if (!session.expired(now)) {
                continue;
            }
            synchronized (session) { // a renewal or a finish running now goes first
                if (session.removed() || !session.expired(now)) {
                    continue;
                }
                DurableFiles.writeString(expiredDir, session.meta().id(), session.meta().expiresAt(), syncer);
                remove(session, null);
                removed.add(session.meta().id());
            }
        }
        for (ConfinedDir dir : List.of(expiredDir, finishedDir)) {
            for (String name : dir.list()) {
                Optional<PosixFileAttributes> attrs = dir.stat(name);
                if (attrs.isPresent() && attrs.get().lastModifiedTime().toInstant().plus(ttl).isBefore(now)) {
                    dir.deleteTree(name); // itself: a link planted there is removed, never followed
                }
            }
        }
        return removed;
    }

    /** Lets go of the store's folders and those of its sessions (the sessions stay on disk for the next start). */
    @Override
    public void close() {
        sessions.values().forEach(session -> session.folder().close());
        for (ConfinedDir dir : new ConfinedDir[] {finishedDir, expiredDir, sessionsDir, state}) {
            dir.close();
        }
    }
}
