package io.caravan.receiver;

import io.caravan.fs.ConfinedDir;
import io.caravan.fs.UnsafePathException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * One session's own folder in the receiver's staging folder ({@code .caravan/staging/<sid>}), created,
 * opened and removed relative to the staging folder held open ({@link StagingFolder}), never through a
 * path by name: a link (or a file) found in its place is removed as itself when the folder is made anew,
 * and refused ({@link UnsafePathException}, 409 {@code unsafe_path}) when the folder is opened to be read,
 * written or published. Whoever works in it holds the folder open ({@link ConfinedDir#self()}) for as long
 * as it does, so a link swapped in for it meanwhile redirects nothing.
 */
final class SessionStagingFolder {

    private final ConfinedDir staging;
    private final String id;

    /** {@code staging}: the staging folder held open by the receiver (not closed here). */
    SessionStagingFolder(ConfinedDir staging, String id) {
        this.staging = staging;
        this.id = id;
    }

    /**
     * The folder made anew (whatever was there removed, a link as a link), owner-only from its creation, and held
     * open; the caller closes it. Whatever takes its place between the removal and the creation is removed again,
     * and refused the third time ({@link UnsafePathException}); a link there when it is opened is refused too.
     */
    ConfinedDir fresh() throws IOException {
        for (int attempt = 1; ; attempt++) {
            staging.deleteTree(id);
            try {
                staging.mkdir(id, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                return staging.openDir(id);
            } catch (FileAlreadyExistsException raced) {
                if (attempt == 3) {
                    String shown = ConfinedDir.join(staging.display(), id);
                    throw new UnsafePathException(shown, "'" + shown + "' is made again by someone else each time"
                            + " Caravan removes it to make its own");
                }
            }
        }
    }

    /** The folder as it is, held open; the caller closes it. A link or a file in its place is refused. */
    ConfinedDir open() throws IOException {
        return staging.openDir(id);
    }

    /** Whether the folder is there, as a folder (a link or a file in its place is not). */
    boolean exists() throws IOException {
        return staging.stat(id).filter(java.nio.file.attribute.PosixFileAttributes::isDirectory).isPresent();
    }

    /**
     * The file {@code <id><suffix>} beside the folder (its checkpoint, its journal), reached through the held
     * staging folder: a path valid while the receiver holds it, for calls that do not follow its last segment.
     */
    java.nio.file.Path beside(String suffix) {
        return staging.entry(id + suffix);
    }

    /** Removes the file {@code <id><suffix>} beside the folder, as itself (a link as a link); absent is fine. */
    void removeBeside(String suffix) throws IOException {
        staging.deleteTree(id + suffix);
    }

    /** Removes the folder and what it holds, never following a link; absent is fine. */
    void remove() throws IOException {
        staging.deleteTree(id);
    }
}
