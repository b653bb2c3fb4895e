package io.caravan.sync;

import io.caravan.fs.ConfinedDir;
import io.caravan.fs.UnsafePathException;
import io.caravan.fs.Versions;
import io.caravan.util.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Renames and deletions inside one mirror, as a sender's {@code POST /mirror/changes} asks:
 * renames first (one atomic move each, missing folders created, a rename with a {@code sha256}
 * only when the file still has that content), then deletions, deepest first. Whatever a rename
 * replaces or a deletion removes goes to the versions area. Every path is checked first; a refused
 * path refuses the whole request before anything changes. What cannot be done (source gone, a link
 * or file in the way, content differs) is answered as skipped, not as an error.
 */
final class MirrorChanges {

    private static final String NOT_THERE = "not in the mirror";

    private final ConfinedDir mirror;
    private final Versions.Batch versions;
    private final List<String> renamed = new ArrayList<>();
    private final List<String> deleted = new ArrayList<>();
    private final List<MirrorChangesDone.Skipped> skipped = new ArrayList<>();

    private MirrorChanges(ConfinedDir mirror, Versions.Batch versions) {
        this.mirror = mirror;
        this.versions = versions;
    }

    /**
     * Applies {@code request} to {@code mirror}; a {@code null} mirror (it does not exist) gets every path checked
     * as an existing one would and every change skipped.
     */
    static MirrorChangesDone apply(ConfinedDir mirror, Versions.Batch versions, MirrorChangeRequest request)
            throws IOException {
        List<String> deletes = new ArrayList<>(request.delete());
        for (MirrorChangeRequest.Rename r : request.rename()) {
            checkReachable(mirror, r.from());
            checkReachable(mirror, r.to());
            if (r.to().equals(r.from()) || r.to().startsWith(r.from() + "/")) {
                throw MirrorPaths.unsafe(r.to(), "a rename cannot move '" + r.from() + "' onto or into itself");
            }
        }
        for (String d : deletes) {
            checkReachable(mirror, d);
        }
        MirrorChanges changes = new MirrorChanges(mirror, versions);
        if (mirror == null) { // no mirror yet: nothing to rename or delete, and no folder made for nothing
            request.rename().forEach(r -> changes.skip(r.from(), NOT_THERE));
            deletes.forEach(d -> changes.skip(d, NOT_THERE));
            return new MirrorChangesDone(changes.renamed, changes.deleted, changes.skipped);
        }
        for (MirrorChangeRequest.Rename r : request.rename()) {
            changes.rename(r.from(), r.to(), r.sha256());
        }
        deletes.sort(Comparator.comparingInt((String d) -> d.split("/").length).reversed());
        for (String d : deletes) {
            changes.delete(d);
        }
        return new MirrorChangesDone(changes.renamed, changes.deleted, changes.skipped);
    }

    /** Refuses, before anything changes, a path that is malformed or whose folders include a link or a file. */
    private static void checkReachable(ConfinedDir mirror, String relative) throws IOException {
        MirrorPaths.check(relative);
        if (mirror == null) {
            return;
        }
        try (ConfinedDir parent = mirror.openDir(MirrorPaths.parent(relative))) {
            // reachable: every folder on the way is a real folder
        } catch (UnsafePathException e) {
            throw MirrorPaths.unsafe(relative, e.getMessage());
        } catch (NoSuchFileException e) {
            // not there (yet): a rename creates the folders, a deletion skips it
        }
    }

    private void rename(String from, String to, String sha256) throws IOException {
        try (ConfinedDir source = mirror.openDir(MirrorPaths.parent(from))) {
            String fromLeaf = MirrorPaths.leaf(from);
            Optional<PosixFileAttributes> attrs = source.stat(fromLeaf);
            if (attrs.isEmpty()) {
                skip(from, NOT_THERE);
                return;
            }
            if (sha256 != null && (!attrs.get().isRegularFile() || !sha256.equals(sha256(source, fromLeaf)))) {
                skip(from, "its content is not " + sha256);
                return;
            }
            try (ConfinedDir target = mirror.openDirs(MirrorPaths.parent(to))) {
                move(source, fromLeaf, target, MirrorPaths.leaf(to), attrs.get().isDirectory());
            }
            renamed.add(from + " -> " + to);
        } catch (NoSuchFileException | UnsafePathException e) {
            skip(from, e instanceof UnsafePathException u ? u.getMessage() : NOT_THERE);
        }
    }

    private void move(ConfinedDir source, String fromLeaf, ConfinedDir target, String toLeaf, boolean folder) throws IOException {
        Set<PosixFilePermission> sourceBefore = source.makeWritable();
        Set<PosixFilePermission> targetBefore = target.makeWritable();
        // a folder moving to another parent needs write permission on itself (its '..' changes)
        Set<PosixFilePermission> selfBefore = null;
        ConfinedDir self = folder ? source.openDir(fromLeaf) : null;
        try {
            if (self != null) {
                selfBefore = self.makeWritable();
            }
            String inInbox = ConfinedDir.join(target.display(), toLeaf);
            if (!source.renameNoReplace(fromLeaf, target, toLeaf)) {
                if (!versions.swap(source, fromLeaf, target, toLeaf, inInbox)) {
                    versions.keep(target, toLeaf, inInbox);
                    source.rename(fromLeaf, target, toLeaf);
                }
            }
        } finally {
            if (self != null) {
                self.restore(selfBefore);
                self.close();
            }
            target.restore(targetBefore);
            source.restore(sourceBefore);
        }
    }

    private void delete(String relative) throws IOException {
        try (ConfinedDir parent = mirror.openDir(MirrorPaths.parent(relative))) {
            String leaf = MirrorPaths.leaf(relative);
            if (parent.stat(leaf).isEmpty()) {
                skip(relative, NOT_THERE);
                return;
            }
            Set<PosixFilePermission> before = parent.makeWritable();
            try {
                versions.keep(parent, leaf, ConfinedDir.join(parent.display(), leaf));
            } finally {
                parent.restore(before);
            }
            deleted.add(relative);
        } catch (NoSuchFileException | UnsafePathException e) {
            skip(relative, e instanceof UnsafePathException u ? u.getMessage() : NOT_THERE);
        }
    }

    private static String sha256(ConfinedDir dir, String name) throws IOException {
        try (InputStream in = dir.read(name)) {
            return Sha256.of(in, new byte[256 * 1024]);
        }
    }

    private void skip(String path, String reason) {
        skipped.add(new MirrorChangesDone.Skipped(path, reason));
    }
}
