package io.caravan.share;

import io.caravan.sync.SyncEntry;
import io.caravan.sync.SyncMode;
import io.caravan.sync.SyncPlan;
import io.caravan.sync.TreeDiff;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The changes between two states of a shared tree, as unnumbered {@link ShareEvent}s, found by the
 * same {@link TreeDiff} that plans a mirroring pass: renames (a file gone and one come with the
 * same size, mtime and mode, also each file of a folder whose whole subtree moved, and only with the same
 * inode and millisecond: a look-alike is no rename), deletions (top-most only),
 * new folders, then new and changed files and links. {@code touched} paths (the watcher saw them
 * written) count as modified even when their size and mtime second did not change.
 */
final class TreeChanges {

    private TreeChanges() {
    }

    static List<ShareEvent> between(Map<String, SyncEntry> before, Map<String, SyncEntry> after, Set<String> touched) {
        return between(before, after, touched, Map.of(), Map.of(), entry -> null);
    }

    /**
     * As {@link #between(Map, Map, Set)}; a file paired as renamed is a rename only when its inode is known on both
     * sides ({@code inodesBefore}, {@code inodesAfter}) and the same, and so is its mtime to the millisecond (a folder
     * rebuilt with fixed mtimes looks moved, and is not), and it carries its file's SHA-256 ({@code sha256}; null when
     * it cannot be read): a follower moves its old file only when it has those bytes, as an inode can be handed to a
     * new file the moment the old one is deleted. Anything else is a deletion and a creation.
     */
    static List<ShareEvent> between(Map<String, SyncEntry> before, Map<String, SyncEntry> after, Set<String> touched,
                                    Map<String, Long> inodesBefore, Map<String, Long> inodesAfter,
                                    java.util.function.Function<SyncEntry, String> sha256) {
        // a moved folder is paired file by file, each proved by its inode below
        SyncPlan plan = new TreeDiff(SyncMode.INCREMENTAL, false, e -> null, true).plan(after, before, touched, Set.of());
        List<ShareEvent> events = new ArrayList<>();
        List<ShareEvent> notMoved = new ArrayList<>();
        Set<String> early = new java.util.HashSet<>();
        for (SyncEntry dir : plan.dirs()) { // new folders first (parents first): files are renamed into them next
            if (before.get(dir.path()) == null && noAncestorChangesType(dir.path(), before)) {
                events.add(new ShareEvent(0, ShareEvent.Type.CREATE, dir.path(), null, dir));
                early.add(dir.path());
            }
        }
        for (SyncPlan.Rename r : plan.renames()) {
            Long was = inodesBefore.get(r.from());
            Long is = inodesAfter.get(r.to());
            // the same inode and the same mtime to the millisecond, or no rename: followers apply it without the content
            SyncEntry now = after.get(r.to());
            String sha = was == null || !was.equals(is) || before.get(r.from()).mtime() != now.mtime() ? null : sha256.apply(now);
            if (sha == null) {
                events.add(new ShareEvent(0, ShareEvent.Type.DELETE, r.from(), null, null));
                notMoved.add(new ShareEvent(0, ShareEvent.Type.CREATE, r.to(), null, now));
            } else {
                events.add(new ShareEvent(0, ShareEvent.Type.RENAME, r.to(), r.from(),
                        new SyncEntry(now.path(), now.type(), now.size(), now.mtime(), now.mode(), now.target(), sha)));
            }
        }
        for (String path : plan.deletes()) {
            events.add(new ShareEvent(0, ShareEvent.Type.DELETE, path, null, null));
        }
        for (SyncEntry dir : plan.dirs()) {
            SyncEntry old = before.get(dir.path());
            if (old == null && !early.contains(dir.path())) { // below a file that became a folder: after that change
                events.add(new ShareEvent(0, ShareEvent.Type.CREATE, dir.path(), null, dir));
            } else if (old != null && (old.type() != dir.type() || old.mode() != dir.mode())) {
                events.add(new ShareEvent(0, ShareEvent.Type.MODIFY, dir.path(), null, dir));
            }
        }
        events.addAll(notMoved);
        for (SyncEntry entry : plan.send()) {
            events.add(new ShareEvent(0, before.containsKey(entry.path()) ? ShareEvent.Type.MODIFY : ShareEvent.Type.CREATE,
                    entry.path(), null, entry));
        }
        return events;
    }

    /** Whether every folder above {@code path} that existed before was a folder then too (none is a file become a folder). */
    private static boolean noAncestorChangesType(String path, Map<String, SyncEntry> before) {
        for (String p = SyncEntry.parent(path); p != null; p = SyncEntry.parent(p)) {
            SyncEntry was = before.get(p);
            if (was != null && was.type() != SyncEntry.Type.DIR) {
                return false;
            }
        }
        return true;
    }
}
