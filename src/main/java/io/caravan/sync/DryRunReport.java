package io.caravan.sync;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What a planned pass would do, for {@code --dry-run}: one line per entry it would rename, delete,
 * create or change (folders end with {@code /}; a folder whose metadata is only re-applied after a
 * change inside it is not listed), then a count summary. Prints only; changes nothing.
 */
final class DryRunReport {

    private DryRunReport() {
    }

    /** Prints the plan; {@code target} says where nothing was changed ("on the receiver", "in ./site"). */
    static void print(SyncPlanner.Planned planned, String target, SyncConsole console) {
        SyncPlan plan = planned.plan();
        Map<String, SyncEntry> mirror = planned.mirror();
        plan.renames().forEach(r -> console.notice("Would rename: " + r.from() + " -> " + r.to()));
        for (String path : plan.deletes()) {
            long entries = planned.entriesAt(path);
            boolean folder = mirror.get(path) != null && mirror.get(path).type() == SyncEntry.Type.DIR;
            console.notice("Would delete: " + path + (folder ? "/" : "") + (entries > 1 ? " (" + entries + " entries)" : ""));
        }
        Map<String, String> lines = new TreeMap<>();
        int created = 0;
        int changed = 0;
        for (SyncEntry entry : plan.send()) {
            boolean isNew = !mirror.containsKey(entry.path());
            created += isNew ? 1 : 0;
            changed += isNew ? 0 : 1;
            lines.put(entry.path(), (isNew ? "Would create: " : "Would change: ") + entry.path());
        }
        Set<String> renamed = plan.renames().stream().map(SyncPlan.Rename::to).collect(Collectors.toSet());
        for (SyncEntry dir : plan.dirs()) {
            SyncEntry theirs = mirror.get(dir.path());
            if (!renamed.contains(dir.path()) && (theirs == null || !dir.sameMetadata(theirs))) {
                created += theirs == null ? 1 : 0;
                changed += theirs == null ? 0 : 1;
                lines.put(dir.path(), (theirs == null ? "Would create: " : "Would change: ") + dir.path() + "/");
            }
        }
        lines.values().forEach(console::line);
        long deleted = planned.deletedEntries();
        console.notice("Dry run: " + created + " to create, " + changed + " to change, " + plan.renames().size() + " to rename, "
                + plan.deletes().size() + " to delete" + (deleted != plan.deletes().size() ? " (" + deleted + " entries)" : "")
                + "; nothing was changed " + target);
    }
}
