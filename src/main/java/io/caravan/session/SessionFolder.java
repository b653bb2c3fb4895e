package io.caravan.session;

import io.caravan.fs.ConfinedDir;
import io.caravan.fs.UnsafePathException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A session's folder and its chunk folder, open while an operation that {@link #enter entered} uses them:
 * every path of the session ({@link #path()}, {@link #chunksPath()}, {@link #resolve}) goes through these
 * open folders ({@code /proc/self/fd/N/...}), so a link planted or swapped in for either folder, or for
 * {@code sessions} above them, is never followed. When no operation uses them, {@link OpenSessionFolders}
 * may let them go (it bounds how many are open); the next {@link #enter} opens them again from the held
 * {@code sessions} folder, a segment at a time without following a link, and refuses them unless they are
 * the very folders (device and inode) the session had. A closed folder's paths are never handed out, so
 * none reaches whatever folder reuses its descriptor. Once the session is removed ({@link #close}) the
 * folders go for good when the last operation leaves.
 */
final class SessionFolder implements AutoCloseable {

    private final OpenSessionFolders bound;
    private final ConfinedDir sessions;
    private final String name;
    /** Device and inode of the session folder and of its chunk folder, as first opened. */
    private final long[] identity;
    /** Null while let go; changed under the bound's monitor. */
    private volatile ConfinedDir dir;
    private volatile ConfinedDir chunks;
    private int users;
    private boolean closing;

    private SessionFolder(OpenSessionFolders bound, ConfinedDir sessions, String name, ConfinedDir dir, ConfinedDir chunks)
            throws IOException {
        this.bound = bound;
        this.sessions = sessions;
        this.name = name;
        this.identity = identity(dir, chunks);
        this.dir = dir;
        this.chunks = chunks;
    }

    /**
     * The folders {@code sessions/name} and its {@code chunks}, just opened by the store (without following a
     * link), in use by the caller until it {@link #leave leaves}. They are closed if this fails.
     */
    static SessionFolder entered(OpenSessionFolders bound, ConfinedDir sessions, String name, ConfinedDir dir,
                                 ConfinedDir chunks) throws IOException {
        SessionFolder folder;
        try {
            folder = new SessionFolder(bound, sessions, name, dir, chunks);
        } catch (IOException | RuntimeException e) {
            chunks.close();
            dir.close();
            throw e;
        }
        synchronized (bound) {
            bound.opening();
            folder.users = 1;
        }
        return folder;
    }

    ConfinedDir dir() {
        return opened(dir);
    }

    ConfinedDir chunks() {
        return opened(chunks);
    }

    private ConfinedDir opened(ConfinedDir folder) {
        if (folder == null) {
            throw new IllegalStateException("the folders of session " + name + " are used without being entered");
        }
        return folder;
    }

    /** The session folder through its open descriptor. */
    Path path() {
        return dir().self();
    }

    /** The chunk folder through its open descriptor. */
    Path chunksPath() {
        return chunks().self();
    }

    /**
     * A file of the session given relative to its folder ({@code data}, {@code chunks/<name>}) through the
     * open folder it is in; an absolute path as it is.
     */
    Path resolve(Path entry) {
        if (entry.isAbsolute()) {
            return entry;
        }
        if (entry.getNameCount() == 2 && entry.getName(0).toString().equals(SessionFolders.CHUNKS)) {
            return chunksPath().resolve(entry.getFileName());
        }
        if (entry.getNameCount() != 1) {
            throw new IllegalArgumentException("not a file of a session: " + entry);
        }
        return path().resolve(entry);
    }

    /**
     * Marks the folders in use until {@link #leave}, opening them again if they were let go; false (nothing to
     * leave) once the session is removed.
     *
     * @throws IOException when they cannot be opened again (a link or another folder found in their place
     *                     is refused with an {@link UnsafePathException}); nothing to leave then either
     */
    boolean enter() throws IOException {
        synchronized (bound) {
            if (closing) {
                return false;
            }
            if (dir == null) {
                reopen();
            }
            users++;
            bound.inUse(this);
            return true;
        }
    }

    void leave() {
        synchronized (bound) {
            users--;
            if (users == 0) {
                if (closing) {
                    release();
                } else {
                    bound.unused(this);
                }
            }
        }
    }

    /** Lets the folders go now, or when the last operation that entered leaves; they are not opened again. */
    @Override
    public void close() {
        synchronized (bound) {
            closing = true;
            if (users == 0) {
                release();
            }
        }
    }

    /** Called by the bound, with its monitor held, for an idle folder: closed until the next {@link #enter}. */
    void letGo() {
        release();
    }

    private void release() {
        if (dir != null) {
            chunks.close();
            dir.close();
            chunks = null;
            dir = null;
            bound.closed(this);
        }
    }

    private void reopen() throws IOException {
        bound.opening();
        ConfinedDir again = null;
        try {
            again = sessions.openDir(name);
            ConfinedDir againChunks = again.openDir(SessionFolders.CHUNKS);
            try {
                long[] found = identity(again, againChunks);
                if (found[0] != identity[0] || found[1] != identity[1] || found[2] != identity[2] || found[3] != identity[3]) {
                    throw new UnsafePathException(again.display(), "'" + again.display() + "' was replaced since the"
                            + " session began (it is not the folder the session's chunks were stored in)");
                }
            } catch (IOException | RuntimeException e) {
                againChunks.close();
                throw e;
            }
            chunks = againChunks;
            dir = again;
        } catch (IOException | RuntimeException e) {
            if (again != null) {
                again.close();
            }
            bound.closed(this);
            throw e;
        }
    }

    private static long[] identity(ConfinedDir dir, ConfinedDir chunks) throws IOException {
        Map<String, Object> a = Files.readAttributes(dir.self(), "unix:dev,ino");
        Map<String, Object> b = Files.readAttributes(chunks.self(), "unix:dev,ino");
        return new long[] {((Number) a.get("dev")).longValue(), ((Number) a.get("ino")).longValue(),
                ((Number) b.get("dev")).longValue(), ((Number) b.get("ino")).longValue()};
    }
}
