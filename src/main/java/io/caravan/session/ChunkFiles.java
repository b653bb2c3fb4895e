package io.caravan.session;

import io.caravan.util.AlignedBuffers;
import io.caravan.util.DirectFileInputStream;
import io.caravan.fs.ConfinedDir;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;

/**
 * The chunk-file discipline of {@link DiskSessionStore} for a store that keeps its index elsewhere (a
 * database) and only the chunk bytes in a folder: a body is hashed while it is written to a temporary
 * file, forced if the {@link Durability} says so, and renamed under its index and hash in
 * {@code sessions/<id>/chunks}; read back around the page cache, or from memory when a listener wanted
 * it. It also gives such a store the {@link Session} operations that only stores may use.
 */
public final class ChunkFiles implements AutoCloseable {

    private static final int WRITE_BUFFERS = 8;
    private static final int READ_BUFFERS = 2;

    /** {@code sessions}, held open: a link planted or swapped in for it later is never followed. */
    private final ConfinedDir sessions;
    private final Path sessionsDir;
    private final Durability durability;
    private final ChunkFileWriter writer;
    private final AlignedBuffers readBuffers;
    private final ReadAheadBudget readAhead;
    private final LimitChecks checks;

    /** Chunk files below {@code root}/sessions; {@code sessions} are those whose kept bodies share the read-ahead budget. */
    public ChunkFiles(Path root, SessionLimits limits, Durability durability, Clock clock,
                      Supplier<Collection<Session>> sessions) throws IOException {
        this.sessions = ConfinedDir.openStateFolder(root.resolve("sessions"));
        this.sessionsDir = this.sessions.self();
        this.durability = durability;
        this.writer = new ChunkFileWriter(new AlignedBuffers(limits.directIo() ? WRITE_BUFFERS : 0), durability);
        this.readBuffers = new AlignedBuffers(limits.directIo() ? READ_BUFFERS : 0);
        this.readAhead = new ReadAheadBudget(limits.readAheadBytes(), clock, sessions);
        this.checks = new LimitChecks(limits, sessionsDir, sessions);
    }

    /** A session's folder (whether or not it exists). */
    public Path sessionDir(String id) {
        return sessionsDir.resolve(new SessionId(id).value());
    }

    /** A new session's folder and chunk folder, created (a link found for either is refused); no chunks listed yet. */
    public Session create(SessionMeta meta) throws IOException {
        Path dir = sessionDir(meta.id());
        sessions.openDirs(meta.id() + "/" + SessionFolders.CHUNKS).close();
        return new Session(meta, dir);
    }

    /**
     * A session in memory over the folder its creator made (which a removal may have deleted meanwhile);
     * a link found for the session's folder or chunk folder is refused, never followed.
     */
    public Session session(SessionMeta meta) throws IOException {
        String id = new SessionId(meta.id()).value();
        if (sessions.stat(id).isPresent()) {
            try {
                sessions.openDir(id + "/" + SessionFolders.CHUNKS).close();
            } catch (NoSuchFileException removedMeanwhile) {
                // nothing to follow
            }
        }
        return new Session(meta, sessionDir(id));
    }

    /** Lets go of the sessions folder. */
    @Override
    public void close() {
        sessions.close();
    }

    /** Lists {@code meta} (the same session's, with other publish options) as {@code session}'s metadata. */
    public static void meta(Session session, SessionMeta meta) {
        session.meta(meta);
    }

    /** A temporary name in {@code dir} (which must lie on the chunk folder's file system). */
    public static Path temp(Path dir) {
        return DurableFiles.tempIn(dir);
    }

    /** Writes {@code body} to the new file {@code tmp}, forced as the durability asks; its SHA-256. */
    public String write(Path tmp, ChunkBody body) throws IOException {
        return writer.write(tmp, body);
    }

    /** The file chunk {@code index} with hash {@code sha256} of {@code session} is stored in. */
    public Path chunkFile(Session session, int index, String sha256) {
        return SessionFolders.chunkFile(session, index, sha256);
    }

    /** Renames {@code tmp} to {@code file} (replacing it), durably when every chunk is forced. */
    public void moveIntoPlace(Path tmp, Path file) throws IOException {
        if (durability.everyChunk()) {
            DurableFiles.moveDurably(tmp, file, durability.syncer());
        } else {
            DurableFiles.move(tmp, file);
        }
    }

    /** Leftover temporary files in a session's chunk folder; deletes them. */
    public void dropTemporaries(Session session) throws IOException {
        try (var files = Files.newDirectoryStream(session.chunkDir(), ".tmp*")) {
            for (Path file : files) {
                Files.deleteIfExists(file);
            }
        } catch (NoSuchFileException gone) {
            // removed meanwhile: nothing left over
        }
    }

    /** Lists {@code stored} in the session (under its monitor), keeping the body first if a listener wants it. */
    public void list(Session session, StoredChunk stored, ChunkBody body) {
        if (body != null) {
            int index = stored.index();
            boolean wanted = session.listeners().stream().anyMatch(l -> l.wantsBody(session, index));
            readAhead.keepOrRelease(session, index, stored.sha256(), body, wanted);
        }
        session.list(stored);
    }

    public InputStream open(Session session, StoredChunk chunk) throws IOException {
        InputStream held = readAhead.open(session, chunk);
        return held != null ? held : DirectFileInputStream.open(chunk.file(), chunk.offset(), chunk.size(), readBuffers);
    }

    public long heldBytes() {
        return readAhead.heldBytes();
    }

    public void checkNewSession(long open) throws IOException {
        checks.checkNewSession(open);
    }

    public void checkChunk(Session session, int index, long length) throws IOException {
        checks.checkChunk(session, index, length);
    }

    public static boolean removed(Session session) {
        return session.removed();
    }

    public static List<SessionListener> listeners(Session session) {
        return session.listeners();
    }

    /** Marks the session removed (under its monitor), lets its kept bodies go and tells its listeners. */
    public void removed(Session session, Runnable underMonitor) {
        synchronized (session) {
            session.markRemoved();
            underMonitor.run();
        }
        readAhead.releaseAll(session);
        session.listeners().forEach(l -> l.closed(session));
    }
}
