package io.caravan.sync;

import io.caravan.fs.ConfinedDir;
import io.caravan.fs.NameRules;
import io.caravan.fs.SameFile;
import io.caravan.fs.Versions;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Applies an extracted mirror parcel (a staging folder whose entries are named by their path in the
 * mirror) onto the mirror: each file or link is renamed over its target, so a reader sees the old
 * content or the new, never a mix; folders are created or merged. Whatever is replaced (an older
 * file, or an entry of another type in the way) goes to the versions area. Every folder is opened
 * without following links ({@link ConfinedDir}), so nothing outside the mirror is ever reached.
 * Folders of the parcel get their modes and mtimes last, deepest first. Every name of the parcel is
 * checked against the {@link NameRules} before anything is applied, so a refused parcel changes nothing.
 */
public final class MirrorApply {

    /** What one apply did. */
    public record Result(long files, long dirs, long links) {
    }

    private record DirMeta(String path, Set<PosixFilePermission> permissions, FileTime mtime) {
    }

    private final ConfinedDir mirror;
    private final Versions.Batch versions;
    private final List<DirMeta> dirs = new ArrayList<>();
    private final long[] counts = new long[3];

    private MirrorApply(ConfinedDir mirror, Versions.Batch versions) {
        this.mirror = mirror;
        this.versions = versions;
    }

    /**
     * Moves everything of {@code staging} into {@code mirror} (same file system) and removes {@code staging}; of a
     * folder held open ({@link ConfinedDir#isHeld}) what is left in it, the folder itself being its holder's.
     */
    public static Result apply(Path staging, ConfinedDir mirror, Versions.Batch versions) throws IOException {
        MirrorApply apply = new MirrorApply(mirror, versions);
        try (ConfinedDir from = ConfinedDir.open(staging)) {
            checkNames(from, "");
            apply.merge(from, mirror, "");
        }
        for (int i = apply.dirs.size() - 1; i >= 0; i--) {
            DirMeta dir = apply.dirs.get(i);
            List<String> segments = ConfinedDir.segments(dir.path());
            String leaf = segments.get(segments.size() - 1);
            try (ConfinedDir parent = mirror.openDir(String.join("/", segments.subList(0, segments.size() - 1)))) {
                parent.setPermissions(leaf, dir.permissions());
                parent.setModified(leaf, dir.mtime());
            }
        }
        if (ConfinedDir.isHeld(staging)) {
            try (ConfinedDir from = ConfinedDir.open(staging)) {
                for (String left : from.list()) {
                    from.deleteTree(left); // the folder itself is its holder's to remove
                }
            }
        } else {
            try (ConfinedDir parent = ConfinedDir.open(staging.getParent())) {
                parent.deleteTree(staging.getFileName().toString());
            }
        }
        return new Result(apply.counts[0], apply.counts[1], apply.counts[2]);
    }

    /**
     * Throws {@link io.caravan.fs.BadNameException} for the first name of the staged tree that breaks
     * the {@link NameRules}, before anything is applied: a refused parcel changes nothing.
     */
    private static void checkNames(ConfinedDir from, String relative) throws IOException {
        Set<PosixFilePermission> was = from.makeWritable(); // its own mode is what the apply gives the mirror's folder
        try {
            for (String name : from.list()) {
                String path = NameRules.check(ConfinedDir.join(relative, name));
                if (from.stat(name).orElseThrow().isDirectory()) {
                    try (ConfinedDir sub = from.openDir(name)) {
                        checkNames(sub, path);
                    }
                }
            }
        } finally {
            from.restore(was);
        }
    }

    private void merge(ConfinedDir from, ConfinedDir to, String relative) throws IOException {
        from.makeWritable();
        to.makeWritable();
        for (String name : from.list()) {
            String path = ConfinedDir.join(relative, name);
            PosixFileAttributes incoming = from.stat(name).orElseThrow();
            Optional<PosixFileAttributes> existing = to.stat(name);
            if (incoming.isDirectory()) {
                if (existing.isPresent() && !existing.get().isDirectory()) {
                    versions.keep(to, name, ConfinedDir.join(to.display(), name));
                    existing = Optional.empty();
                }
                if (existing.isEmpty()) {
                    to.mkdir(name);
                }
                dirs.add(new DirMeta(path, incoming.permissions(), incoming.lastModifiedTime()));
                counts[1]++;
                try (ConfinedDir sub = from.openDir(name); ConfinedDir target = to.openDir(name)) {
                    merge(sub, target, path);
                }
            } else {
                place(from, name, to, existing, ConfinedDir.join(to.display(), name));
                counts[incoming.isSymbolicLink() ? 2 : 0]++;
            }
        }
    }

    /** Renames the file or link over its target; the replaced entry is kept as a version (the very same file stays). */
    private void place(ConfinedDir from, String name, ConfinedDir to, Optional<PosixFileAttributes> existing, String inInbox)
            throws IOException {
        if (existing.isEmpty() && from.renameNoReplace(name, to, name)) {
            return;
        }
        if (SameFile.same(from, name, to, name)) { // the mirror has this very file: nothing to replace, no version
            from.delete(name);
            return;
        }
        if (to.stat(name).map(PosixFileAttributes::isDirectory).orElse(false)) {
            versions.keep(to, name, inInbox);
            from.rename(name, to, name);
        } else if (!versions.swap(from, name, to, name, inInbox)) {
            versions.keep(to, name, inInbox);
            from.rename(name, to, name);
        }
    }
}
