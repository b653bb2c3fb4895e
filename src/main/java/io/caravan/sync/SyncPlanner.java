package io.caravan.sync;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The plan step of a mirroring pass, whichever side is the source: filters both trees with the
 * {@link PathFilter} (an excluded entry is neither sent nor deleted, and a mirror folder that holds
 * excluded entries is kept) and diffs them with {@link TreeDiff}. Plain Java: no receiver, no Camel.
 */
public final class SyncPlanner {

    /** A plan with the two trees it was made from, as filtered; {@code filtered} when the filter left out source entries. */
    public record Planned(SyncPlan plan, Map<String, SyncEntry> source, Map<String, SyncEntry> mirror, boolean filtered) {

        /** Entries the deletions remove from the mirror, what is inside deleted folders included. */
        public long deletedEntries() {
            return plan.deletes().stream().mapToLong(this::entriesAt).sum();
        }

        /** The mirror's entry at {@code path} and every entry below it. */
        public long entriesAt(String path) {
            TreeMap<String, SyncEntry> tree = mirror instanceof TreeMap<String, SyncEntry> t ? t : new TreeMap<>(mirror);
            return (tree.containsKey(path) ? 1 : 0) + tree.subMap(path + "/", path + "0").size(); // '0' follows '/'
        }
    }

    private final TreeDiff diff;
    private final PathFilter filter;

    public SyncPlanner(TreeDiff diff, PathFilter filter) {
        this.diff = diff;
        this.filter = filter;
    }

    /** {@code forced} and {@code unsettled} as in {@link TreeDiff#plan}. */
    public Planned plan(Map<String, SyncEntry> source, Map<String, SyncEntry> mirror, Set<String> forced, Set<String> unsettled) {
        return plan(source, mirror, forced, unsettled, Map.of());
    }

    /** As {@link #plan(Map, Map, Set, Set)}, with the renames the source reported (new path to old path, see {@link TreeDiff}). */
    public Planned plan(Map<String, SyncEntry> source, Map<String, SyncEntry> mirror, Set<String> forced, Set<String> unsettled,
                        Map<String, String> reported) {
        Map<String, SyncEntry> from = filter.retain(source);
        Map<String, SyncEntry> to = filter.retain(mirror);
        Set<String> leftAlone = new HashSet<>(unsettled);
        if (to.size() != mirror.size()) {
            for (String path : mirror.keySet()) {
                if (!to.containsKey(path)) {
                    keepFoldersAbove(path, from, to, leftAlone);
                }
            }
        }
        return new Planned(diff.plan(from, to, forced, leftAlone, reported), from, to, from.size() != source.size());
    }

    /** The mirror folders above an excluded entry stay, unless the source has a folder there too (then they are merged). */
    private static void keepFoldersAbove(String excluded, Map<String, SyncEntry> from, Map<String, SyncEntry> to, Set<String> leftAlone) {
        for (String p = SyncEntry.parent(excluded); p != null; p = SyncEntry.parent(p)) {
            SyncEntry there = from.get(p);
            if (to.containsKey(p) && (there == null || there.type() != SyncEntry.Type.DIR) && !leftAlone.add(p)) {
                return; // the folders above were handled with it
            }
        }
    }
}
