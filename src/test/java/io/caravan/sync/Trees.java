package io.caravan.sync;

import java.util.Map;
import java.util.TreeMap;

/** Small in-memory trees of {@link SyncEntry}s for the plan tests. */
final class Trees {

    private Trees() {
    }

    static Map<String, SyncEntry> tree(SyncEntry... entries) {
        Map<String, SyncEntry> tree = new TreeMap<>();
        for (SyncEntry entry : entries) {
            tree.put(entry.path(), entry);
        }
        return tree;
    }

    static SyncEntry file(String path, long size, long mtime) {
        return new SyncEntry(path, SyncEntry.Type.FILE, size, mtime, 0644, null, null);
    }

    static SyncEntry dir(String path, long mtime) {
        return new SyncEntry(path, SyncEntry.Type.DIR, 0, mtime, 0755, null, null);
    }
}
