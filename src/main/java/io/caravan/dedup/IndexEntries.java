package io.caravan.dedup;

import io.caravan.dedup.ContentIndex.StoredFile;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link IndexStore} of one receiver: the entries in memory, written through to its {@link DedupLog}:
 * indexed files by hash and by path, and files waiting to be hashed, oldest first. Every change is made
 * under this object's monitor and logged in the same step; lookups by hash need no lock. One process
 * hashes: its {@link IndexingQueue} takes waiting files one at a time, so no other hasher holds any.
 */
final class IndexEntries implements IndexStore {

    /** Lines in the log beyond twice the live entries (plus this) make the next start rewrite it. */
    private static final long COMPACT_SLACK = 64;

    private final DedupLog log;
    private final Map<String, StoredFile> bySha = new ConcurrentHashMap<>();
    private final NavigableMap<String, StoredFile> byPath = new TreeMap<>();
    private final Map<String, StoredFile> pending = new LinkedHashMap<>();

    IndexEntries(DedupLog log) {
        this.log = log;
    }

    /** Replays the log (skipping damaged lines) and rewrites it when it was damaged or mostly superseded lines. */
    @Override
    public synchronized void load() {
        DedupLog.Loaded loaded = log.load(new DedupLog.Replay() {
            @Override
            public void indexed(StoredFile file) {
                pending.remove(file.path());
                put(file);
            }

            @Override
            public void queued(StoredFile file) {
                pending.put(file.path(), file);
            }

            @Override
            public void forgotten(String path) {
                remove(path);
            }
        });
        long live = byPath.size() + pending.size();
        if (loaded.skipped() > 0 || loaded.applied() > 2 * live + COMPACT_SLACK) {
            log.rewrite(List.copyOf(byPath.values()), List.copyOf(pending.values()));
        }
    }

    @Override
    public StoredFile bySha(String sha256) {
        return bySha.get(sha256);
    }

    @Override
    public synchronized void indexed(List<StoredFile> files) {
        for (StoredFile stored : files) {
            pending.remove(stored.path());
            put(stored);
        }
        log.indexed(files);
    }

    @Override
    public synchronized void queued(List<StoredFile> files) {
        for (StoredFile stored : files) {
            pending.put(stored.path(), stored);
        }
        log.queued(files);
    }

    @Override
    public synchronized void forget(String path) {
        if (remove(path)) {
            log.forgotten(path);
        }
    }

    @Override
    public synchronized void drop(StoredFile file) {
        bySha.remove(file.sha256(), file);
        if (byPath.get(file.path()) == file) {
            byPath.remove(file.path());
            log.forgotten(file.path());
        }
    }

    @Override
    public synchronized void replace(StoredFile old, StoredFile updated) {
        if (byPath.get(old.path()) == old) {
            put(updated);
            log.indexed(List.of(updated));
        }
    }

    @Override
    public synchronized boolean hasPending() {
        return !pending.isEmpty();
    }

    /** Hashes the file waiting longest; its outcome is dropped when it was published again or forgotten meanwhile. */
    @Override
    public boolean hashNext(Hasher hasher) {
        StoredFile next = oldestPending();
        if (next == null) {
            return false;
        }
        Hashed outcome = hasher.hash(next);
        if (outcome.gaveUp()) {
            return false;
        }
        hashed(next, outcome.indexed());
        return true;
    }

    /** Nothing to wait for: the only hasher is this process's, one file at a time. */
    @Override
    public boolean awaitOthers() {
        return false;
    }

    private synchronized StoredFile oldestPending() {
        Iterator<StoredFile> it = pending.values().iterator();
        return it.hasNext() ? it.next() : null;
    }

    /** Takes {@code next} off the queue, indexed as {@code hashed} (null: it changed), if it is still the one waiting. */
    private synchronized void hashed(StoredFile next, StoredFile hashed) {
        if (pending.get(next.path()) != next) {
            return;
        }
        pending.remove(next.path());
        if (hashed != null) {
            put(hashed);
            log.indexed(List.of(hashed));
        }
    }

    private void put(StoredFile file) {
        StoredFile previous = byPath.put(file.path(), file);
        if (previous != null) {
            bySha.remove(previous.sha256(), previous);
        }
        bySha.put(file.sha256(), file);
    }

    /** Removes the entries at or under {@code path} from memory; whether there were any. */
    private boolean remove(String path) {
        boolean removed = false;
        List<String> paths = new ArrayList<>();
        if (byPath.containsKey(path)) {
            paths.add(path);
        }
        // '/' + 1 == '0': every path below the folder sorts between these two
        paths.addAll(byPath.subMap(path + "/", true, path + "0", false).keySet());
        for (String p : paths) {
            StoredFile gone = byPath.remove(p);
            bySha.remove(gone.sha256(), gone);
            removed = true;
        }
        for (Iterator<String> it = pending.keySet().iterator(); it.hasNext(); ) {
            String p = it.next();
            if (p.equals(path) || p.startsWith(path + "/")) {
                it.remove();
                removed = true;
            }
        }
        return removed;
    }
}
