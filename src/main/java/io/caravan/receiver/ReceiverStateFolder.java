package io.caravan.receiver;

import io.caravan.fs.ConfinedDir;
import io.caravan.fs.UnsafePathException;
import io.caravan.fs.Versions;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.List;
import java.util.Optional;

/**
 * The first thing a receiver's start does: checks that its state folder ({@code <inbox>/.caravan}) and the
 * folders it keeps directly in it (its staging folder, {@code versions}, {@code catalog}, {@code shares},
 * {@code pull}) are real folders, not links, before anything is created, emptied or deleted there. Whoever
 * may write the inbox may plant a link there; one found stops the start with a message naming it, and
 * nothing is changed, there or where it points. The state folder is opened from the inbox without
 * following a link (and created when missing); the inbox itself is a configured, trusted path.
 * The session store checks the folders it keeps there itself.
 */
public final class ReceiverStateFolder {

    /** The folders directly in the state folder that are the receiver's own, besides its staging folder. */
    static final List<String> FOLDERS = List.of(Versions.FOLDER, "catalog", "shares", "pull");

    private ReceiverStateFolder() {
    }

    /**
     * Checks the state folder of {@code config} and the folders the receiver keeps in it; refuses a link
     * or a file as any of them ({@link UnsafePathException} naming it), having changed nothing but
     * creating a missing inbox and state folder.
     */
    public static void check(ReceiverConfig config) throws IOException {
        try (ConfinedDir state = open(config)) {
            for (String name : folders(config)) {
                Optional<PosixFileAttributes> found = state.stat(name);
                if (found.isPresent() && !found.get().isDirectory()) {
                    String shown = ConfinedDir.join(state.display(), name);
                    throw new UnsafePathException(shown, "'" + shown + "' is "
                            + (found.get().isSymbolicLink() ? "a symbolic link, and Caravan never writes through links"
                            : "not a folder") + "; the receiver does not start until it is removed (what a link points"
                            + " to is left alone), and then makes its own folder there");
                }
            }
        }
    }

    /** {@link #check}s {@code config}, then returns its state folder (for building its store after the check). */
    static Path checked(ReceiverConfig config) throws IOException {
        check(config);
        return config.stateDir();
    }

    /**
     * Empties the receiver's staging folder (what a stopped receiver left there), reaching it through the
     * state folder opened without following a link: a link found there is removed as a link.
     */
    static void emptyStaging(ReceiverConfig config) throws IOException {
        emptyStaging(config, java.util.Set.of());
    }

    /**
     * The same, keeping the entries named in {@code keep} (what open sessions' extractions resume from after a
     * crash); the rest is removed, each entry as itself (a link as a link).
     */
    static void emptyStaging(ReceiverConfig config, java.util.Set<String> keep) throws IOException {
        try (ConfinedDir state = open(config)) {
            String staging = config.stagingDir().getFileName().toString();
            if (keep.isEmpty() || state.stat(staging).filter(PosixFileAttributes::isDirectory).isEmpty()) {
                state.deleteTree(staging);
                return;
            }
            try (ConfinedDir folder = state.openDirs(staging)) {
                for (String name : folder.list()) {
                    if (!keep.contains(name)) {
                        folder.deleteTree(name);
                    }
                }
            }
        }
    }

    private static ConfinedDir open(ReceiverConfig config) throws IOException {
        return ConfinedDir.openStateFolder(config.stateDir());
    }

    private static List<String> folders(ReceiverConfig config) {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(config.stagingDir().getFileName().toString()),
                FOLDERS.stream()).toList();
    }
}
