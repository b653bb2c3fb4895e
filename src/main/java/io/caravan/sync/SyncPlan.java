package io.caravan.sync;

import java.util.List;

/**
 * What one pass must do to make the mirror equal the local tree, in this order: renames on the
 * mirror (no content travels), deletions, new and changed files and links (as parcels), then
 * folders whose mode or mtime must be set (last, as the entries above change their mtimes).
 * {@code created} lists which of {@code send} are new, for messages.
 */
public record SyncPlan(List<Rename> renames, List<String> deletes, List<SyncEntry> send, List<String> created,
                       List<SyncEntry> dirs, int checked, int unchanged) {

    /** A move on the mirror; {@code sha256} (files) lets the receiver check it moves the right content. */
    public record Rename(String from, String to, String sha256) {
    }

    /** Items of work the console counts: renames, deletions and entries to send. */
    public int work() {
        return renames.size() + deletes.size() + send.size();
    }

    public boolean empty() {
        return work() == 0 && dirs.isEmpty();
    }
}
