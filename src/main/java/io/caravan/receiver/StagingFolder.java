package io.caravan.receiver;

import io.caravan.fs.ConfinedDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * The receiver's staging folder ({@code .caravan/staging}, or {@code .caravan/staging-<node>}) held open: each
 * session's staging folder ({@link SessionStagingFolder}) is created, opened and removed relative to the open
 * folder, never through {@code .caravan/staging} again, so a link swapped in for the staging folder while the
 * receiver runs never redirects what is extracted or joined there.
 *
 * <p>Each time a session's staging folder is asked for, the staging folder is reached again from the inbox
 * without following a link: a link (or a file) found as {@code .caravan} or as the staging folder refuses the
 * session ({@link io.caravan.fs.UnsafePathException} naming it, 409 {@code unsafe_path}), and a missing one
 * is created. A real folder found in place of the one held (replaced by someone) is held from then on; the one
 * held before stays open until the receiver {@link #close closes}, as sessions staged through it still use
 * their paths (a descriptor closed earlier could be reused by another folder).
 */
final class StagingFolder implements AutoCloseable {

    private final ReceiverConfig config;
    /** Every staging folder held, the current one last. */
    private final List<ConfinedDir> held = new ArrayList<>();

    StagingFolder(ReceiverConfig config) {
        this.config = config;
    }

    /** The staging folder of session {@code id} in the staging folder held open now (not created here). */
    SessionStagingFolder session(String id) throws IOException {
        return new SessionStagingFolder(current(), id);
    }

    /** The staging folder itself, through its open descriptor. */
    Path root() throws IOException {
        return current().self();
    }

    private synchronized ConfinedDir current() throws IOException {
        ConfinedDir found;
        try (ConfinedDir state = ConfinedDir.openStateFolder(config.stateDir())) {
            found = state.openDirs(config.stagingDir().getFileName().toString());
        }
        ConfinedDir last = held.isEmpty() ? null : held.get(held.size() - 1);
        if (last != null && key(last).equals(key(found))) {
            found.close();
            return last;
        }
        held.add(found);
        return found;
    }

    private static Object key(ConfinedDir dir) throws IOException {
        return Files.readAttributes(dir.self(), BasicFileAttributes.class).fileKey(); // device and inode
    }

    @Override
    public synchronized void close() {
        held.forEach(ConfinedDir::close);
        held.clear();
    }
}
