package io.caravan.sync;

import io.caravan.fs.ConfinedDir;
import io.caravan.fs.NameRules;
import io.caravan.util.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Lists a local tree as {@link SyncEntry}s by relative path (sorted), without following links and
 * without reading content; special files are left out, and entries that vanish during the walk are
 * simply not listed. A missing root is an error, never an empty tree (which would delete the mirror).
 * Entries a {@link PathFilter} excludes are not listed, and excluded folders are not entered.
 * Modes are the bits a mirror keeps ({@link ListedTree#kept}): a folder's sticky bit included.
 * An entry whose relative name is beyond the name limits ({@link NameRules#MAX_DEPTH} parts or
 * {@link NameRules#MAX_PATH_BYTES} bytes) is never synced or shared: it is left out, with nothing
 * below it looked at, and one warning per scan names the first such entry, shortened.
 */
public final class TreeScanner {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TreeScanner.class);

    private TreeScanner() {
    }

    public static Map<String, SyncEntry> scan(Path root) throws IOException {
        return scan(root, PathFilter.NONE);
    }

    public static Map<String, SyncEntry> scan(Path root, PathFilter filter) throws IOException {
        return scan(root, filter, unreadableWarning(root));
    }

    /** As {@link #scan(Path, PathFilter, Collection, Consumer)}, warning of names that are not valid UTF-8 as the whole scan does. */
    public static Map<String, SyncEntry> scan(Path root, PathFilter filter, Collection<String> paths) throws IOException {
        return scan(root, filter, paths, unreadableWarning(root));
    }

    private static Consumer<String> unreadableWarning(Path root) {
        return name -> LOG.warn("'{}' below {} is not a valid UTF-8 name: left out (rename it to sync it)", name, root);
    }

    /**
     * As {@link #scan(Path, PathFilter)}; an entry whose name is not valid UTF-8 (its name as text, with
     * U+FFFD for the bytes that are not, names no file: nothing can be read or sent by it) is left out
     * and its path, as text, given to {@code unreadable}, with nothing below it.
     */
    public static Map<String, SyncEntry> scan(Path root, PathFilter filter, Consumer<String> unreadable) throws IOException {
        return scan(root, filter, unreadable, beyondLimitsWarning(root));
    }

    /**
     * As {@link #scan(Path, PathFilter, Consumer)}; each entry beyond the name limits, left out with
     * everything below it, is given (its relative path) to {@code beyondLimits} instead of the warning.
     */
    public static Map<String, SyncEntry> scan(Path root, PathFilter filter, Consumer<String> unreadable, Consumer<String> beyondLimits)
            throws IOException {
        Walk walk = new Walk(root, filter, unreadable, beyondLimits);
        Files.walkFileTree(root, walk);
        return walk.entries;
    }

    /** Warns of the first entry a scan finds beyond the name limits (the scan's one warning of them). */
    private static Consumer<String> beyondLimitsWarning(Path root) {
        boolean[] warned = {false};
        return path -> {
            if (!warned[0]) {
                warned[0] = true;
                LOG.warn("'{}' below {} is beyond the name limits ({}): left out with everything below it, and so is"
                        + " any other such entry", NameRules.shortened(path), root, NameRules.lengthProblem(path));
            }
        };
    }

    /**
     * As {@link #scan(Path, PathFilter, Consumer)}, for {@code paths} alone: the entry at each of them
     * with everything below it, and the folders above it, each listed as the whole scan lists it. Nothing
     * is looked for below an entry above a path that is not a folder (a link is never entered), that
     * is excluded or that is missing, just as the whole scan never enters one; the rest of the tree is
     * not read at all.
     */
    public static Map<String, SyncEntry> scan(Path root, PathFilter filter, Collection<String> paths, Consumer<String> unreadable)
            throws IOException {
        Files.readAttributes(root, BasicFileAttributes.class); // a missing root is an error, as for the whole scan
        Walk walk = new Walk(root, filter, unreadable, beyondLimitsWarning(root));
        Map<String, Boolean> entered = new HashMap<>(); // a folder above a path: whether what is below it is looked at
        for (String path : TreeDiff.topMost(paths)) {
            boolean reachable = true;
            for (int slash = path.indexOf('/'); slash >= 0 && reachable; slash = path.indexOf('/', slash + 1)) {
                String above = path.substring(0, slash);
                Boolean known = entered.get(above);
                if (known == null) {
                    known = walk.above(root.resolve(above));
                    entered.put(above, known);
                }
                reachable = known;
            }
            if (reachable) {
                Files.walkFileTree(root.resolve(path), walk); // a file or link is visited as itself, a folder walked
            }
        }
        return walk.entries;
    }

    /** The visitor of both scans: lists what it visits into {@code entries}. */
    private static final class Walk extends SimpleFileVisitor<Path> {
        private final Path root;
        private final PathFilter filter;
        private final Consumer<String> unreadable;
        private final Consumer<String> beyondLimits;
        private final Map<String, SyncEntry> entries = new TreeMap<>();

        Walk(Path root, PathFilter filter, Consumer<String> unreadable, Consumer<String> beyondLimits) {
            this.root = root;
            this.filter = filter;
            this.unreadable = unreadable;
            this.beyondLimits = beyondLimits;
        }

        /** Whether {@code path} is beyond the name limits, given to {@link #beyondLimits} when it is. */
        private boolean beyondLimits(Path path) {
            Path relative = root.relativize(path);
            if (relative.getNameCount() <= NameRules.MAX_DEPTH
                    && NameRules.utf8Length(relative.toString()) <= NameRules.MAX_PATH_BYTES) {
                return false;
            }
            beyondLimits.accept(relative.toString());
            return true;
        }

        /** Lists the entry {@code path}, a folder above what is scanned; whether what is below it is looked at. */
        boolean above(Path path) throws IOException {
            BasicFileAttributes attrs;
            try {
                attrs = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                return false;
            }
            if (!attrs.isDirectory()) {
                visitFile(path, attrs); // a file or link where the source has a folder: listed, never entered
                return false;
            }
            return preVisitDirectory(path, attrs) == FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
            if (!dir.equals(root)) {
                if (beyondLimits(dir)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                if (filter.excludes(root.relativize(dir).toString(), true)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                if (NameRules.unreadable(dir)) {
                    unreadable.accept(root.relativize(dir).toString());
                    return FileVisitResult.SKIP_SUBTREE;
                }
                add(dir, SyncEntry.Type.DIR);
            }
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
            if (beyondLimits(file) || filter.excludes(root.relativize(file).toString(), false)) {
                return FileVisitResult.CONTINUE;
            }
            if (attrs.isSymbolicLink()) {
                if (!filter.skipsLink(root.relativize(file).toString(), Files.readSymbolicLink(file).toString())) {
                    add(file, SyncEntry.Type.LINK);
                }
            } else if (attrs.isRegularFile()) {
                add(file, SyncEntry.Type.FILE);
            }
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (e instanceof NoSuchFileException && !file.equals(root)) {
                return FileVisitResult.CONTINUE;
            }
            throw e;
        }

        private void add(Path path, SyncEntry.Type type) throws IOException {
            String relative = root.relativize(path).toString();
            if (type != SyncEntry.Type.DIR && NameRules.unreadable(path)) {
                unreadable.accept(relative);
                return;
            }
            try {
                entries.put(relative, entry(path, relative, type));
            } catch (NoSuchFileException e) {
                // gone while scanning
            }
        }
    }

    static SyncEntry entry(Path path, String relative, SyncEntry.Type type) throws IOException {
        if (type == SyncEntry.Type.LINK) { // with its own mtime, which a mirror gives the link it makes (never compared)
            long mtime = Files.getLastModifiedTime(path, LinkOption.NOFOLLOW_LINKS).toInstant().toEpochMilli();
            return new SyncEntry(relative, type, 0, mtime, 0777, Files.readSymbolicLink(path).toString(), null);
        }
        Map<String, Object> attrs = Files.readAttributes(path, "unix:mode,size,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
        return new SyncEntry(relative, type, type == SyncEntry.Type.FILE ? (Long) attrs.get("size") : 0,
                ((FileTime) attrs.get("lastModifiedTime")).toInstant().toEpochMilli(), // floored, also before 1970
                ListedTree.kept(type, (Integer) attrs.get("mode")), null, null);
    }

    /** SHA-256 of a file's content, read streaming. */
    public static String sha256(Path root, String relative) throws IOException {
        return sha256(root, relative, new byte[256 * 1024], in -> in);
    }

    /**
     * The SHA-256 of the regular file {@code relative} below {@code root}, reached without following a link on the
     * way or at the end and opened without waiting on a pipe (a local user's link or pipe swapped in for a folder or
     * a file is refused, never hashed: the hash of a file outside the tree would tell its content to whoever asked);
     * {@code wrap} wraps the stream the bytes are read from.
     */
    public static String sha256(Path root, String relative, byte[] buffer,
                                java.util.function.UnaryOperator<InputStream> wrap) throws IOException {
        int slash = relative.lastIndexOf('/');
        try (ConfinedDir top = ConfinedDir.open(root);
             ConfinedDir parent = top.openDir(slash < 0 ? "" : relative.substring(0, slash));
             InputStream in = wrap.apply(parent.read(relative.substring(slash + 1)))) {
            return Sha256.of(in, buffer);
        } catch (io.caravan.fs.UnsafePathException e) {
            throw new IOException(relative + " is not hashed: " + e.why(), e);
        }
    }
}
