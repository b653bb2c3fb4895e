package io.caravan.sync;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Compares a local tree with its mirror and plans a pass ({@link SyncPlan}). {@code incremental}
 * sends entries whose type, size, mtime ({@link SyncEntry#sameMtime}), mode or link target differ; {@code checksum}
 * also compares file content by SHA-256; {@code full} sends everything. {@code forced} paths (files
 * the watcher saw change) are sent even when their metadata matches; {@code excluded} paths (still
 * changing) are left alone this pass. Outside full mode, a new entry whose content is already on
 * the mirror under a path that is going away becomes a rename: a file with the same size, mtime and
 * mode, or a folder whose whole subtree matches, and only when that pairing is the one possible (or
 * the source reported it). Metadata is no proof of content: a side that cannot check the content
 * (no SHA-256) must not take such a rename on trust.
 */
public final class TreeDiff {

    private final SyncMode mode;
    private final boolean checksum;
    private final Function<SyncEntry, String> localSha256;
    private final boolean filesProveFolders;

    public TreeDiff(SyncMode mode, boolean checksum, Function<SyncEntry, String> localSha256) {
        this(mode, checksum, localSha256, false);
    }

    /**
     * With {@code filesProveFolders}, a folder that moved is planned as a rename of each file below it, each with
     * its SHA-256 (which the side applying it checks before it moves anything: a rename whose content differs is
     * refused, and that file is sent), its folders and links created anew and the old folder deleted after: two
     * folders with the same names, sizes, modes and mtimes (a release rebuilt with fixed mtimes) are no proof of
     * the same content. Without, a folder is paired whole (for sides that prove it otherwise, such as by inode).
     */
    public TreeDiff(SyncMode mode, boolean checksum, Function<SyncEntry, String> localSha256, boolean filesProveFolders) {
        this.mode = mode;
        this.checksum = checksum;
        this.localSha256 = localSha256;
        this.filesProveFolders = filesProveFolders;
    }

    /** A plan in which only unambiguous look-alikes become renames (see {@link #plan(Map, Map, Set, Set, Map)}). */
    public SyncPlan plan(Map<String, SyncEntry> local, Map<String, SyncEntry> remote, Set<String> forced, Set<String> excluded) {
        return plan(local, remote, forced, excluded, Map.of());
    }

    /**
     * Plans a pass making {@code remote} equal {@code local}. {@code reported} (new path to old path)
     * names renames the source itself saw: each is paired first when both ends are there with the same
     * type and metadata (a folder: the same subtree). Then a new entry is paired with a vanishing one by
     * metadata only when no other new or vanishing entry has that metadata: a pairing that could go more
     * than one way is no rename at all (the new entries are sent, the others deleted).
     */
    public SyncPlan plan(Map<String, SyncEntry> local, Map<String, SyncEntry> remote, Set<String> forced, Set<String> excluded,
                         Map<String, String> reported) {
        TreeMap<String, SyncEntry> added = new TreeMap<>();
        List<SyncEntry> changed = new ArrayList<>();
        Set<String> dirs = new TreeSet<>();
        int checked = 0;
        for (SyncEntry entry : local.values()) {
            if (excluded.contains(entry.path())) {
                continue;
            }
            checked += entry.type() == SyncEntry.Type.DIR ? 0 : 1;
            SyncEntry theirs = remote.get(entry.path());
            if (theirs == null) {
                added.put(entry.path(), entry);
            } else if (mode == SyncMode.FULL || differs(entry, theirs, forced.contains(entry.path()))) {
                if (entry.type() == SyncEntry.Type.DIR) {
                    dirs.add(entry.path());
                } else {
                    changed.add(entry);
                }
            }
        }
        TreeMap<String, SyncEntry> gone = new TreeMap<>();
        remote.values().stream().filter(e -> !local.containsKey(e.path()) && !excluded.contains(e.path()))
                .forEach(e -> gone.put(e.path(), e));
        List<SyncPlan.Rename> renames = mode == SyncMode.FULL ? List.of() : renames(added, gone, local, remote, reported);
        List<String> deletes = topMost(gone.keySet());
        List<SyncEntry> send = new ArrayList<>(changed);
        List<String> created = new ArrayList<>();
        for (SyncEntry entry : added.values()) {
            if (entry.type() == SyncEntry.Type.DIR) {
                dirs.add(entry.path());
            } else {
                send.add(entry);
                created.add(entry.path());
            }
        }
        send.sort((a, b) -> a.path().compareTo(b.path()));
        List<String> touched = new ArrayList<>(deletes);
        send.forEach(e -> touched.add(e.path()));
        renames.forEach(r -> {
            touched.add(r.from());
            touched.add(r.to());
            if (local.get(r.to()).type() == SyncEntry.Type.DIR) {
                dirs.add(r.to());
            }
        });
        for (String path : touched) {
            String parent = SyncEntry.parent(path);
            SyncEntry folder = parent == null ? null : local.get(parent);
            if (folder != null && folder.type() == SyncEntry.Type.DIR && !excluded.contains(parent)) {
                dirs.add(parent);
            }
        }
        int unchanged = checked - send.size() - (int) renames.stream().filter(r -> local.get(r.to()).type() != SyncEntry.Type.DIR).count();
        return new SyncPlan(renames, deletes, send, created, dirs.stream().map(local::get).toList(), checked, Math.max(0, unchanged));
    }

    private boolean differs(SyncEntry mine, SyncEntry theirs, boolean forced) {
        if (!mine.sameMetadata(theirs)) {
            return true;
        }
        if (mine.type() != SyncEntry.Type.FILE) {
            return false;
        }
        if (checksum) {
            return theirs.sha256() == null || !theirs.sha256().equals(localSha256.apply(mine));
        }
        return forced;
    }

    /** Pairs new entries with vanishing ones of the same content; removes the paired ones from both maps. */
    private List<SyncPlan.Rename> renames(TreeMap<String, SyncEntry> added, TreeMap<String, SyncEntry> gone,
                                          Map<String, SyncEntry> local, Map<String, SyncEntry> remote,
                                          Map<String, String> reported) {
        List<SyncPlan.Rename> renames = new ArrayList<>();
        for (Map.Entry<String, String> pair : new TreeMap<>(reported).entrySet()) { // a folder before what is in it
            SyncEntry now = added.get(pair.getKey());
            SyncEntry was = gone.get(pair.getValue());
            if (now != null && was != null && now.type() == was.type() && now.type() != SyncEntry.Type.LINK
                    && (now.type() == SyncEntry.Type.FILE ? key(now).equals(key(was))
                    : java.util.Objects.equals(subtree(now.path(), local), subtree(was.path(), remote)))) {
                pair(renames, was.path(), now, added, gone);
            }
        }
        Map<String, List<String>> goneDirs = new HashMap<>();
        Map<String, List<String>> addedDirs = new java.util.LinkedHashMap<>();
        for (String dir : topMost(gone.keySet())) {
            group(goneDirs, gone.get(dir).type() == SyncEntry.Type.DIR ? subtree(dir, remote) : null, dir);
        }
        for (String dir : topMost(added.keySet())) {
            group(addedDirs, added.get(dir).type() == SyncEntry.Type.DIR ? subtree(dir, local) : null, dir);
        }
        addedDirs.forEach((signature, dirs) -> {
            List<String> from = goneDirs.get(signature);
            if (dirs.size() == 1 && from != null && from.size() == 1) {
                pair(renames, from.get(0), added.get(dirs.get(0)), added, gone);
            }
        });
        Map<String, List<String>> goneFiles = new HashMap<>();
        Map<String, List<String>> addedFiles = new java.util.LinkedHashMap<>();
        gone.values().forEach(e -> group(goneFiles, e.type() == SyncEntry.Type.FILE ? key(e) : null, e.path()));
        added.values().forEach(e -> group(addedFiles, e.type() == SyncEntry.Type.FILE ? key(e) : null, e.path()));
        addedFiles.forEach((key, files) -> {
            List<String> from = goneFiles.get(key);
            if (files.size() == 1 && from != null && from.size() == 1) {
                pair(renames, from.get(0), added.get(files.get(0)), added, gone);
            } else if (from != null && filesProveFolders) {
                pairByNames(renames, files, from, added, gone);
            }
        });
        return renames;
    }

    /** The most look-alikes of one name a new file is compared with; beyond, it is sent. */
    private static final int MOST_CANDIDATES = 64;

    /**
     * Look-alikes ({@code files} come, {@code from} gone, all of one size, mtime and mode) paired by the names they
     * keep: a new file with the gone one of the same name that shares the longest tail of its path, then the same
     * depth, when one has that alone (a folder moved while some of its files changed: {@code new/sub/x} is
     * {@code old/sub/x}). Only where the side applying the plan proves each rename by its SHA-256: a wrong pairing
     * is then refused there and the file sent, never taken for the same content.
     */
    private void pairByNames(List<SyncPlan.Rename> renames, List<String> files, List<String> from,
                             TreeMap<String, SyncEntry> added, TreeMap<String, SyncEntry> gone) {
        Map<String, List<String>> goneByName = new HashMap<>();
        from.forEach(path -> goneByName.computeIfAbsent(name(path), n -> new ArrayList<>()).add(path));
        for (String path : files) {
            List<String> candidates = goneByName.getOrDefault(name(path), List.of());
            if (candidates.size() > MOST_CANDIDATES) {
                continue;
            }
            String best = null;
            long bestScore = -1;
            boolean tie = false;
            for (String candidate : candidates) {
                if (!gone.containsKey(candidate)) {
                    continue; // paired already
                }
                long score = likeness(path, candidate);
                if (score > bestScore) {
                    best = candidate;
                    bestScore = score;
                    tie = false;
                } else if (score == bestScore) {
                    tie = true;
                }
            }
            if (best != null && !tie) {
                pair(renames, best, added.get(path), added, gone);
            }
        }
    }

    private static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** How alike two paths are: the parts their tails share, then whether they are as deep. */
    private static long likeness(String a, String b) {
        String[] x = a.split("/");
        String[] y = b.split("/");
        int shared = 0;
        while (shared < Math.min(x.length, y.length) && x[x.length - 1 - shared].equals(y[y.length - 1 - shared])) {
            shared++;
        }
        return 2L * shared + (x.length == y.length ? 1 : 0);
    }

    /** {@code path} listed under {@code signature} (nothing when it has none). */
    private static void group(Map<String, List<String>> groups, String signature, String path) {
        if (signature != null) {
            groups.computeIfAbsent(signature, s -> new ArrayList<>()).add(path);
        }
    }

    private void pair(List<SyncPlan.Rename> renames, String from, SyncEntry to, TreeMap<String, SyncEntry> added,
                      TreeMap<String, SyncEntry> gone) {
        if (filesProveFolders && to.type() == SyncEntry.Type.DIR) {
            // each file moves on its own, proved by its SHA-256; folders and links below are made anew, the old folder deleted
            String prefix = to.path() + "/";
            List<SyncEntry> files = added.subMap(prefix, to.path() + "0").values().stream()
                    .filter(e -> e.type() == SyncEntry.Type.FILE).toList();
            for (SyncEntry file : files) {
                String source = from + "/" + file.path().substring(prefix.length());
                renames.add(new SyncPlan.Rename(source, file.path(), localSha256.apply(file)));
                added.remove(file.path());
                gone.remove(source); // moved away: the old folder, deleted after the renames, no longer holds it
            }
            return;
        }
        renames.add(new SyncPlan.Rename(from, to.path(), to.type() == SyncEntry.Type.FILE ? localSha256.apply(to) : null));
        removeSubtree(added, to.path());
        removeSubtree(gone, from);
    }

    private static String key(SyncEntry e) {
        return e.size() + ":" + e.mtimeSeconds() + ":" + e.mode();
    }

    /** Everything below {@code dir} as one string (relative names and metadata); null when it is empty. */
    private static String subtree(String dir, Map<String, SyncEntry> entries) {
        StringBuilder signature = new StringBuilder();
        String prefix = dir + "/";
        for (SyncEntry e : ((TreeMap<String, SyncEntry>) asTree(entries)).tailMap(prefix).values()) {
            if (!e.path().startsWith(prefix)) {
                break;
            }
            signature.append(e.path().substring(prefix.length())).append('\0').append(e.type()).append(':')
                    .append(e.type() == SyncEntry.Type.LINK ? e.target() : key(e)).append('\n');
        }
        return signature.isEmpty() ? null : signature.toString();
    }

    private static Map<String, SyncEntry> asTree(Map<String, SyncEntry> entries) {
        return entries instanceof TreeMap ? entries : new TreeMap<>(entries);
    }

    private static void removeSubtree(TreeMap<String, SyncEntry> entries, String dir) {
        entries.remove(dir);
        entries.subMap(dir + "/", dir + "0").clear(); // '0' follows '/': every path below dir
    }

    /** Paths none of whose ancestors are in the set (deleting those deletes the rest). */
    static List<String> topMost(Collection<String> paths) {
        Set<String> all = new TreeSet<>(paths);
        List<String> top = new ArrayList<>();
        for (String path : all) {
            boolean covered = false;
            for (String p = SyncEntry.parent(path); p != null && !covered; p = SyncEntry.parent(p)) {
                covered = all.contains(p);
            }
            if (!covered) {
                top.add(path);
            }
        }
        return top;
    }
}
