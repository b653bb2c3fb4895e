package io.caravan.fs;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The versions area of a destination ({@code <inbox>/.caravan/versions}): whatever a publish, a
 * mirror apply or a mirror change replaces or removes is moved here instead of being deleted, under
 * {@code <UTC time>-<random>/<its path in the inbox>}, one folder per operation, and removed by
 * {@link #cleanup} once older than the retention. A retention of zero deletes replaced entries at once.
 */
public final class Versions {

    private static final Logger LOG = LoggerFactory.getLogger(Versions.class);
    /** Folder name of the versions area inside the receiver's state folder. */
    public static final String FOLDER = "versions";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Where a destination that is not a receiver's inbox keeps its versions, relative to it. */
    public static final String IN_DESTINATION = ".caravan/" + FOLDER;

    private final Path area;
    /** When set, the area is {@code relative} below this folder, reached without following a link. */
    private final Path destination;
    private final String relative;
    private final Duration keep;
    private final Clock clock;
    /** The folder, relative to the destination, that a publisher using these versions publishes into. */
    private final String below;
    /** Whether each version kept is said in the debug log only ({@link #quietly}). */
    private final boolean quiet;

    /**
     * Versions kept in {@code area} (created when first needed) for {@code keep}. The folder above it is
     * trusted (a configured path); {@code area} itself is opened without following a link, so a link
     * found there is refused (an {@link UnsafePathException} naming it) and nothing is moved or removed through it.
     */
    public Versions(Path area, Duration keep, Clock clock) {
        this(area, null, null, keep, clock, "", false);
    }

    private Versions(Path area, Path destination, String relative, Duration keep, Clock clock, String below, boolean quiet) {
        this.area = area;
        this.destination = destination;
        this.relative = relative;
        this.keep = keep;
        this.clock = clock;
        this.below = below;
        this.quiet = quiet;
    }

    /** The same versions, each one kept said in the debug log only: for a follower, whose console says one line per change. */
    public Versions quietly() {
        return new Versions(area, destination, relative, keep, clock, below, true);
    }

    /**
     * The same versions for a publisher whose destination is the folder {@code relative} below this
     * one's: what it replaces is kept under its path from here.
     */
    public Versions under(String relative) {
        return new Versions(area, destination, this.relative, keep, clock, ConfinedDir.join(below, relative), quiet);
    }

    /**
     * Versions of a local destination ({@code caravan unpack}, {@code get}): kept in
     * {@code <destination>/.caravan/versions} for {@code keep}. The area is reached from the
     * destination folder by folder without following a link, so a {@code .caravan} that is a link
     * is refused and nothing is replaced.
     */
    public static Versions inDestination(Path destination, Duration keep, Clock clock) {
        return below(destination, IN_DESTINATION, keep, clock);
    }

    /**
     * Versions kept in the folder {@code relative} below {@code destination} for {@code keep}, reached
     * folder by folder without following a link: a link on the way is refused (an
     * {@link UnsafePathException} naming it), so nothing outside {@code destination} is written or removed.
     */
    public static Versions below(Path destination, String relative, Duration keep, Clock clock) {
        return new Versions(destination.resolve(relative), destination, relative, keep, clock, "", false);
    }

    /** No versions: replaced entries are deleted (for destinations that are not a receiver's inbox). */
    public static Versions none() {
        return new Versions(null, null, null, Duration.ZERO, Clock.systemUTC(), "", false);
    }

    public boolean enabled() {
        return area != null && !keep.isZero() && !keep.isNegative();
    }

    /** One operation's versions: entries it replaces go to one folder, made on first use. */
    public Batch batch() {
        return new Batch();
    }

    /** Removes version folders older than the retention; returns how many. */
    public int cleanup() throws IOException {
        if (area == null) {
            return 0;
        }
        if (destination != null) {
            // reached folder by folder without following a link: a linked .caravan (or versions) is refused
            // here, when a command starts, before it changes anything
            if (!java.nio.file.Files.isDirectory(destination) || !existsBelow(destination, relative)) {
                return 0;
            }
        } else if (!java.nio.file.Files.exists(area, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        Instant cutoff = clock.instant().minus(keep);
        List<String> removed = new ArrayList<>();
        try (ConfinedDir dir = destination != null ? openExisting() : ConfinedDir.openStateFolder(area)) {
            for (String name : dir.list()) {
                Instant made = stampOf(name);
                if (made != null && made.isBefore(cutoff)) {
                    dir.deleteTree(name);
                    removed.add(name);
                }
            }
        }
        if (!removed.isEmpty()) {
            LOG.info("versions: {} folder{} older than {} removed {}", removed.size(), removed.size() == 1 ? "" : "s",
                    keep, removed);
        }
        return removed.size();
    }

    /** Whether {@code relative} exists below {@code root}; a link or a file on the way is refused. */
    private static boolean existsBelow(Path root, String relative) throws IOException {
        ConfinedDir dir = ConfinedDir.open(root);
        try {
            for (String segment : ConfinedDir.segments(relative)) {
                if (dir.stat(segment).isEmpty()) {
                    return false;
                }
                ConfinedDir next = dir.openDir(segment);
                dir.close();
                dir = next;
            }
            return true;
        } finally {
            dir.close();
        }
    }

    private ConfinedDir openExisting() throws IOException {
        try (ConfinedDir root = ConfinedDir.open(destination)) {
            return root.openDir(relative);
        }
    }

    private static Instant stampOf(String name) {
        int dash = name.indexOf('-');
        try {
            return LocalDateTime.parse(dash < 0 ? name : name.substring(0, dash), STAMP).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** Where one operation's replaced entries go. */
    public final class Batch {
        private String folder;

        /**
         * Moves the entry {@code name} of {@code dir}, known in the destination as {@code relative},
         * into this batch's folder (or deletes it when versions are off); returns where it went, or null.
         */
        public String keep(ConfinedDir dir, String name, String relative) throws IOException {
            if (!enabled()) {
                dir.deleteTree(name);
                return null;
            }
            return moveIn(dir, name, relative, (target, kept) -> true);
        }

        /**
         * Puts the entry {@code name} of {@code from} in place of the existing entry {@code leaf} of {@code to}, known
         * in the destination as {@code relative}, in one atomic exchange, and keeps the replaced entry in this batch's
         * folder (or deletes it when versions are off). The new entry is first moved to where the version goes, then
         * exchanged with the old one, which so never passes through a folder that is emptied at a start: whenever
         * the process dies, the old entry is at its place or kept as a version (a death before the exchange leaves
         * the new entry where the version would have been, and the old one in place). False when the file system
         * cannot exchange; then nothing changed, and the caller keeps the old entry first ({@link #keep}) and
         * renames the new one in.
         */
        public boolean swap(ConfinedDir from, String name, ConfinedDir to, String leaf, String relative) throws IOException {
            if (!enabled()) {
                if (!from.exchange(name, to, leaf)) {
                    return false;
                }
                from.deleteTree(name);
                return true;
            }
            return moveIn(from, name, relative, (target, kept) -> {
                boolean exchanged;
                try {
                    exchanged = target.exchange(kept, to, leaf);
                } catch (IOException | RuntimeException e) {
                    target.renameNoReplace(kept, from, name); // the new entry goes back: nothing replaced
                    throw e;
                }
                if (!exchanged) {
                    target.renameNoReplace(kept, from, name);
                }
                return exchanged;
            }) != null;
        }

        /** What is done with an entry once moved to its version's place; false undid the move. */
        private interface Placed {
            boolean then(ConfinedDir folder, String kept) throws IOException;
        }

        /**
         * Moves {@code name} of {@code dir} to where the version of {@code relative} goes in this batch's folder
         * (a free name there), runs {@code placed} on it, and returns the version's path, or null when
         * {@code placed} undid the move.
         */
        private String moveIn(ConfinedDir dir, String name, String relative, Placed placed) throws IOException {
            List<String> segments = ConfinedDir.segments(ConfinedDir.join(below, relative));
            String parent = String.join("/", segments.subList(0, segments.size() - 1));
            try (ConfinedDir root = areaDir(); ConfinedDir target = root.openDirs(ConfinedDir.join(folder(), parent))) {
                String leaf = segments.get(segments.size() - 1);
                for (int n = 1; !dir.renameNoReplace(name, target, leaf); n++) {
                    leaf = NameRules.fit(segments.get(segments.size() - 1), "~" + n);
                }
                if (!placed.then(target, leaf)) {
                    return null;
                }
                String kept = ConfinedDir.join(folder(), ConfinedDir.join(parent, leaf));
                if (quiet) {
                    LOG.debug("kept the replaced '{}' as version {}/{}", ConfinedDir.join(below, relative), FOLDER, kept);
                } else {
                    LOG.info("kept the replaced '{}' as version {}/{}", ConfinedDir.join(below, relative), FOLDER, kept);
                }
                return kept;
            }
        }

        private String folder() {
            if (folder == null) {
                byte[] id = new byte[3];
                RANDOM.nextBytes(id);
                folder = STAMP.format(LocalDateTime.ofInstant(clock.instant(), ZoneOffset.UTC)) + "-" + HexFormat.of().formatHex(id);
            }
            return folder;
        }

        private ConfinedDir areaDir() throws IOException {
            if (destination != null) {
                try (ConfinedDir root = ConfinedDir.open(destination)) {
                    return root.openDirs(relative);
                }
            }
            return ConfinedDir.openStateFolder(area); // the area itself never followed when a link
        }
    }
}
