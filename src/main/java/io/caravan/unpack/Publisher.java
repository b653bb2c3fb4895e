package io.caravan.unpack;

import io.caravan.fs.ConfinedDir;
import io.caravan.fs.NameRules;
import io.caravan.fs.SameFile;
import io.caravan.fs.UnsafePathException;
import io.caravan.fs.Versions;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Moves what an extraction staged into its destination, confined: every folder on the way is opened
 * without following links ({@link ConfinedDir}), every entry appears by one rename, and whatever is
 * replaced goes to {@link Versions} (never simply lost). An entry never changes type (folder versus
 * file or link) unless {@code allowTypeChange}; otherwise that conflict is refused before anything moves.
 * Before the first move the whole staged tree is checked against the destination as the publish will treat
 * it (every level a merge reaches, no link followed), so a refused publish changes nothing; the folders a
 * publish made on the way to its target are removed again when it fails or is refused (never one that
 * was there before).
 */
public final class Publisher {

    private final Path destination;
    private final Versions versions;

    public Publisher(Path destination, Versions versions) {
        this.destination = destination.toAbsolutePath().normalize();
        this.versions = versions;
    }

    /**
     * How a publish treats an existing entry of the same name, and what a refused change of type (a folder
     * by a file or the reverse, without {@code allowTypeChange}) tells the user to do instead.
     */
    public record Policy(OnConflict onConflict, boolean allowTypeChange, String typeChangeAdvice) {

        /** What a refused change of type tells a sender (the receiver's publish). */
        public static final String SEND_ADVICE = "Send into the folder with a name ending in '/', choose another name,"
                + " or allow the change of type (--force)";

        public Policy(OnConflict onConflict, boolean allowTypeChange) {
            this(onConflict, allowTypeChange, SEND_ADVICE);
        }

        public static Policy of(OnConflict onConflict) {
            return new Policy(onConflict, false);
        }
    }

    /** Whether {@code relative} names a real folder in the destination (a link to one is not). */
    public boolean isFolder(String relative) throws IOException {
        List<String> segments = ConfinedDir.segments(relative);
        if (segments.isEmpty()) {
            return true;
        }
        try (ConfinedDir root = ConfinedDir.open(destination);
             ConfinedDir parent = root.openDir(String.join("/", segments.subList(0, segments.size() - 1)))) {
            return parent.stat(segments.get(segments.size() - 1)).map(PosixFileAttributes::isDirectory).orElse(false);
        } catch (java.nio.file.NoSuchFileException | UnsafePathException e) {
            return false;
        }
    }

    /**
     * Publishes the entry {@code entry} of {@code stagingDir} as {@code target} (a relative path; missing
     * folders are created); returns its path relative to the destination.
     */
    public String publish(Path stagingDir, String entry, String target, Policy policy) throws IOException {
        NameRules.check(target);
        List<String> segments = ConfinedDir.segments(target);
        String parentPath = String.join("/", segments.subList(0, segments.size() - 1));
        String leaf = segments.get(segments.size() - 1);
        try (ConfinedDir staging = ConfinedDir.open(stagingDir); ConfinedDir root = ConfinedDir.open(destination)) {
            List<String> created = new ArrayList<>();
            try (ConfinedDir parent = openCreating(root, segments.subList(0, segments.size() - 1), created)) {
                refuseConflicts(staging, entry, parent, leaf, policy);
                Versions.Batch batch = versions.batch();
                return place(staging, entry, parent, leaf, policy, batch);
            } catch (IOException | RuntimeException e) {
                removeCreated(root, created, e);
                throw e;
            }
        }
    }

    /**
     * The folder {@code segments} below {@code root}, each missing one made on the way; the relative path of
     * each folder this call made (not one found there, nor one another process made meanwhile) is added to
     * {@code created}, shallowest first, also when the walk then fails.
     */
    private static ConfinedDir openCreating(ConfinedDir root, List<String> segments, List<String> created) throws IOException {
        ConfinedDir current = root.openDir("");
        try {
            for (int i = 0; i < segments.size(); i++) {
                try {
                    current.mkdir(segments.get(i));
                    created.add(String.join("/", segments.subList(0, i + 1)));
                } catch (java.nio.file.FileAlreadyExistsException there) {
                    // found, or made meanwhile by someone else: never removed by this publish
                }
                ConfinedDir next = current.openDir(segments.get(i));
                current.close();
                current = next;
            }
            return current;
        } catch (IOException | RuntimeException e) {
            current.close();
            throw e;
        }
    }

    /**
     * Removes the folders a failed or refused publish made ({@code created}, shallowest first), deepest
     * first, each only while it is empty: one something else was put into meanwhile stays, and so do the
     * folders above it. What cannot be removed is added to {@code failure} as suppressed.
     */
    private static void removeCreated(ConfinedDir root, List<String> created, Throwable failure) {
        for (int i = created.size() - 1; i >= 0; i--) {
            String relative = created.get(i);
            int slash = relative.lastIndexOf('/');
            try (ConfinedDir parent = root.openDir(slash < 0 ? "" : relative.substring(0, slash))) {
                parent.delete(relative.substring(slash + 1));
            } catch (java.nio.file.DirectoryNotEmptyException kept) {
                return;
            } catch (IOException | RuntimeException e) {
                failure.addSuppressed(e);
                return;
            }
        }
    }

    /** Publishes every top-level entry of {@code stagingDir} under its own name; returns their relative paths. */
    public List<String> publishAll(Path stagingDir, Policy policy) throws IOException {
        try (ConfinedDir staging = ConfinedDir.open(stagingDir); ConfinedDir root = ConfinedDir.open(destination)) {
            List<String> names = staging.list();
            for (String name : names) {
                NameRules.check(name);
                refuseConflicts(staging, name, root, name, policy);
            }
            Versions.Batch batch = versions.batch();
            List<String> published = new ArrayList<>();
            for (String name : names) {
                published.add(place(staging, name, root, name, policy, batch));
            }
            return published;
        }
    }

    private String place(ConfinedDir staging, String entry, ConfinedDir parent, String leaf, Policy policy,
                         Versions.Batch batch) throws IOException {
        String relative = ConfinedDir.join(parent.display(), leaf);
        while (true) {
            Optional<PosixFileAttributes> existing = parent.stat(leaf);
            if (existing.isEmpty()) {
                if (staging.renameNoReplace(entry, parent, leaf)) {
                    return relative;
                }
                continue; // appeared meanwhile: decide again
            }
            switch (policy.onConflict()) {
                case FAIL -> throw alreadyExists(relative);
                case RENAME -> {
                    leaf = freeName(parent, leaf);
                    relative = ConfinedDir.join(parent.display(), leaf);
                    continue;
                }
                case MERGE -> {
                    Optional<PosixFileAttributes> incoming = staging.stat(entry);
                    if (existing.get().isDirectory() && incoming.isPresent() && incoming.get().isDirectory()) {
                        merge(staging, entry, parent, leaf, policy, batch);
                        parent.setPermissions(leaf, incoming.get().permissions());
                        parent.setModified(leaf, incoming.get().lastModifiedTime());
                        staging.deleteTree(entry);
                        return relative;
                    }
                    replace(staging, entry, parent, leaf, relative, policy, batch);
                    return relative;
                }
                default -> {
                    replace(staging, entry, parent, leaf, relative, policy, batch);
                    return relative;
                }
            }
        }
    }

    /**
     * Swaps the staged entry in, in one atomic step where the file system can, and keeps the old one as a version
     * (the very same file, {@link SameFile}, is left in place instead);
     * the old entry is at its place or a version at every moment ({@link Versions.Batch#swap}), so a publish killed
     * midway never loses it.
     */
    private void replace(ConfinedDir staging, String entry, ConfinedDir parent, String leaf, String relative, Policy policy,
                         Versions.Batch batch) throws IOException {
        if (SameFile.same(staging, entry, parent, leaf)) { // nothing would be replaced: no version of it to keep
            staging.delete(entry);
            return;
        }
        refuseTypeChange(staging, entry, parent, leaf, policy);
        if (batch.swap(staging, entry, parent, leaf, relative)) {
            return;
        }
        batch.keep(parent, leaf, relative);
        if (!staging.renameNoReplace(entry, parent, leaf)) {
            throw new PublishConflictException("'" + relative + "' was created by someone else while it was being"
                    + " replaced; nothing was published, send again");
        }
    }

    /** Moves the staged folder's content into the existing folder, entry by entry, like {@code tar -x}. */
    private void merge(ConfinedDir staging, String entry, ConfinedDir parent, String leaf, Policy policy,
                       Versions.Batch batch) throws IOException {
        try (ConfinedDir from = staging.openDir(entry); ConfinedDir into = parent.openDir(leaf)) {
            from.makeWritable();
            into.makeWritable();
            for (String name : from.list()) {
                place(from, name, into, name, policy, batch);
            }
        }
    }

    /**
     * Walks the staged {@code entry} against {@code leaf} in the destination as {@link #place} will treat it, and
     * throws the first conflict it would meet: an existing entry under on-conflict fail, or a change of type at any
     * level a merge reaches. Folders are opened without following links, one level open per depth, so the walk
     * takes one visit per staged entry and at most as many open folders as the name rules allow parts.
     */
    private static void refuseConflicts(ConfinedDir staging, String entry, ConfinedDir parent, String leaf, Policy policy)
            throws IOException {
        Optional<PosixFileAttributes> existing = parent.stat(leaf);
        if (existing.isEmpty() || policy.onConflict() == OnConflict.RENAME) {
            return;
        }
        if (policy.onConflict() == OnConflict.FAIL) {
            throw alreadyExists(ConfinedDir.join(parent.display(), leaf));
        }
        Optional<PosixFileAttributes> incoming = staging.stat(entry);
        if (policy.onConflict() == OnConflict.MERGE && existing.get().isDirectory()
                && incoming.isPresent() && incoming.get().isDirectory()) {
            try (ConfinedDir from = staging.openDir(entry); ConfinedDir into = parent.openDir(leaf)) {
                for (String name : from.list()) {
                    refuseConflicts(from, name, into, name, policy);
                }
            }
            return;
        }
        refuseTypeChange(staging, entry, parent, leaf, policy);
    }

    private static PublishConflictException alreadyExists(String relative) {
        return new PublishConflictException("'" + relative + "' already exists (on-conflict is fail):"
                + " remove it there, or choose on-conflict replace, merge or rename; nothing was published");
    }

    private static void refuseTypeChange(ConfinedDir staging, String entry, ConfinedDir parent, String leaf, Policy policy)
            throws IOException {
        if (policy.allowTypeChange()) {
            return;
        }
        Optional<PosixFileAttributes> existing = parent.stat(leaf);
        Optional<PosixFileAttributes> incoming = staging.stat(entry);
        if (existing.isPresent() && incoming.isPresent() && existing.get().isDirectory() != incoming.get().isDirectory()) {
            String relative = ConfinedDir.join(parent.display(), leaf);
            throw new PublishConflictException("'" + relative + "' is " + kind(existing.get()) + " and would be replaced by "
                    + kind(incoming.get()) + "; nothing was published. " + policy.typeChangeAdvice());
        }
    }

    private static String kind(PosixFileAttributes attrs) {
        return attrs.isDirectory() ? "a folder" : attrs.isSymbolicLink() ? "a symbolic link" : "a file";
    }

    /** Bytes an extension may have to be kept by a rename when the name must be shortened. */
    static final int MAX_KEPT_EXTENSION_BYTES = 32;

    /**
     * The {@code n}th name a rename tries for {@code leaf}: {@code "name (n).ext"} (the extension kept
     * when it has at most {@value #MAX_KEPT_EXTENSION_BYTES} bytes), its stem shortened so the name fits
     * in {@value NameRules#MAX_SEGMENT_BYTES} bytes.
     */
    static String renamed(String leaf, int n) {
        String number = " (" + n + ")";
        int dot = leaf.lastIndexOf('.');
        if (dot > 0 && NameRules.utf8Length(leaf.substring(dot)) <= MAX_KEPT_EXTENSION_BYTES) {
            return NameRules.fit(leaf.substring(0, dot), number + leaf.substring(dot));
        }
        return NameRules.fit(leaf, number);
    }

    /** A name as {@link #renamed} makes it: a stem, {@code " (N)"}, and what followed (an extension, or nothing). */
    private static final java.util.regex.Pattern NUMBERED = java.util.regex.Pattern.compile("(.*) \\(([1-9][0-9]{0,8})\\)(\\.[^.]*)?");

    /**
     * The first free name made from {@code leaf}: {@code name (1).ext}, {@code name (2).ext}, ... A leaf that is itself
     * such a numbered copy (a send again to the place it published, {@code rn (1).txt}) goes on from its number
     * ({@code rn (2).txt}), never nesting numbers ({@code rn (1) (1).txt}).
     */
    private static String freeName(ConfinedDir parent, String leaf) throws IOException {
        int first = 1;
        java.util.regex.Matcher numbered = NUMBERED.matcher(leaf);
        if (numbered.matches()) {
            String stem = numbered.group(1) + (numbered.group(3) == null ? "" : numbered.group(3));
            int number = Integer.parseInt(numbered.group(2));
            if (!numbered.group(1).isEmpty() && renamed(stem, number).equals(leaf)) {
                leaf = stem;
                first = number + 1;
            }
        }
        for (int n = first; ; n++) {
            String candidate = renamed(leaf, n);
            if (parent.stat(candidate).isEmpty()) {
                return candidate;
            }
        }
    }
}
