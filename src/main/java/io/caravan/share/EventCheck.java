package io.caravan.share;

import io.caravan.fs.NameRules;
import io.caravan.sync.ListedTree;
import io.caravan.sync.SyncEntry;
import java.util.Map;

/**
 * Whether a follower can apply one change of the share's log to its copy of the share's tree: the
 * one place a change is checked for what its type needs (an entry for a creation or a modification,
 * a {@code from} for a rename, a target for a link) and for where it points (never below a file or
 * a link of the tree, never a folder into itself). The paths' names were checked by {@link ShareClient}.
 */
final class EventCheck {

    private EventCheck() {
    }

    /** Why {@code event} cannot be applied to {@code tree} (the tree as the changes before it left it), or null. */
    static String problem(ShareEvent event, Map<String, SyncEntry> tree) {
        if (event.type() == ShareEvent.Type.RESET) {
            return null;
        }
        if (event.path() == null || event.path().isEmpty()) {
            return "it names no path";
        }
        SyncEntry entry = event.entry();
        switch (event.type()) {
            case CREATE, MODIFY -> {
                if (entry == null) {
                    return "it does not say what the entry is now";
                }
            }
            case RENAME -> {
                if (event.from() == null || event.from().isEmpty()) {
                    return "it does not say what was renamed";
                }
                if (event.from().equals(event.path()) || event.path().startsWith(event.from() + "/")) {
                    return "it moves '" + NameRules.printable(event.from()) + "' onto or into itself";
                }
                String under = ListedTree.belowNonFolder(event.from(), tree);
                if (under != null) {
                    return "'" + NameRules.printable(event.from()) + "' would be below " + under;
                }
            }
            default -> {
                return null; // DELETE: a path the tree does not hold is simply not there
            }
        }
        if (entry != null) {
            if (!event.path().equals(entry.path())) {
                return "its entry is for another path";
            }
            if (entry.type() == SyncEntry.Type.LINK && (entry.target() == null || entry.target().isEmpty())) {
                return "it is a link without a target";
            }
            if (entry.type() == SyncEntry.Type.FILE && entry.size() < 0) {
                return "it is a file of negative size";
            }
        }
        String under = ListedTree.belowNonFolder(event.path(), tree);
        return under == null ? null : "it would be below " + under;
    }
}
