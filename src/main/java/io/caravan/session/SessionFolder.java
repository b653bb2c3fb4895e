package io.caravan.session;

import io.caravan.fs.ConfinedDir;
import java.nio.file.Path;

/**
 * A session's folder and its chunk folder, held open for the session's life: every path of the session
 * ({@link #path()}, {@link #chunksPath()}, and the chunk and data files below them) goes through these
 * open folders ({@code /proc/self/fd/N/...}), so a link planted or swapped in later for either folder,
 * or for {@code sessions} above them, is never followed. The folders are let go once the session is
 * removed and no operation that {@link #enter entered} is still using them: a path of a closed folder
 * never reaches whatever folder reuses its descriptor.
 */
final class SessionFolder implements AutoCloseable {

    private final ConfinedDir dir;
    private final ConfinedDir chunks;
    private int users;
    private boolean closing;
    private boolean released;

    SessionFolder(ConfinedDir dir, ConfinedDir chunks) {
        this.dir = dir;
        this.chunks = chunks;
    }

    ConfinedDir dir() {
        return dir;
    }

    ConfinedDir chunks() {
        return chunks;
    }

    /** The session folder through its open descriptor. */
    Path path() {
        return dir.self();
    }

    /** The chunk folder through its open descriptor. */
    Path chunksPath() {
        return chunks.self();
    }

    /** Marks the folders in use until {@link #leave}; false (nothing to leave) once they are closed or closing. */
    synchronized boolean enter() {
        if (closing) {
            return false;
        }
        users++;
        return true;
    }

    synchronized void leave() {
        users--;
        if (closing && users == 0) {
            release();
        }
    }

    /** Lets the folders go now, or when the last operation that entered leaves. */
    @Override
    public synchronized void close() {
        closing = true;
        if (users == 0) {
            release();
        }
    }

    private void release() {
        if (!released) {
            released = true;
            chunks.close();
            dir.close();
        }
    }
}
