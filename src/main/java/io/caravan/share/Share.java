package io.caravan.share;

import io.caravan.fs.NameRules;
import io.caravan.sync.PathFilter;
import io.caravan.sync.SyncEntry;
import io.caravan.sync.TreeScanner;
import io.methvin.watcher.DirectoryChangeEvent;
import io.methvin.watcher.DirectoryWatcher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shared folder: watched recursively, its changes recorded in its {@link ShareLog}. File-system
 * events only mark paths touched; once the folder has been quiet for the settle time (or a burst has
 * lasted {@code 10 x settle}) the tree is scanned and compared with the last known one
 * ({@link TreeChanges}), so a burst becomes one batch of events, a delete and a create of the same
 * file one rename, and nothing a watcher dropped is lost; the same comparison runs every
 * {@code rescan}. Caravan's own names ({@code .caravan*}) and names the {@link NameRules} refuse are
 * never listed.
 */
public final class Share implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Share.class);
    private static final java.util.HexFormat HEX = java.util.HexFormat.of();
    private static final PathFilter OWN_NAMES = PathFilter.of(List.of(PathFilter.Rule.exclude(".caravan"),
            PathFilter.Rule.exclude(".caravan-*")));

    private final String name;
    private final Path root;
    private final ShareLog log;
    private final Duration settle;
    private final Duration rescan;
    private final Consumer<ShareEvent> onChange;
    /**
     * SHA-256s of files of the tree (32 bytes each), by their entry: an equal entry (path, size, mtime,
     * mode) is taken for the same content. Keyed by the tree's own entries and cut down to the tree at
     * every scan, so they never outgrow it.
     */
    private volatile Map<SyncEntry, byte[]> hashes = new ConcurrentHashMap<>();
    /** Inodes of the files of the last scan: a pair of a deletion and a creation is a rename only for the same inode. */
    private Map<String, Long> inodes = Map.of();
    private final Set<String> touched = new HashSet<>();
    private long firstTouch;
    private long lastTouch;
    private volatile boolean running = true;
    private DirectoryWatcher watcher;
    private Thread loop;

    /** Refuses a share name that is not one plain name (the {@link NameRules}, no '/'). */
    public static void checkName(String name) {
        NameRules.check(name);
        if (name.contains("/")) {
            throw new IllegalArgumentException("a share name is one name without '/', not '" + name + "'");
        }
    }

    public Share(String name, Path root, ShareLog log, Duration settle, Duration rescan, Consumer<ShareEvent> onChange) {
        checkName(name);
        this.name = name;
        this.root = root.toAbsolutePath().normalize();
        this.log = log;
        this.settle = settle;
        this.rescan = rescan;
        this.onChange = onChange;
    }

    public String name() {
        return name;
    }

    public Path root() {
        return root;
    }

    public ShareLog log() {
        return log;
    }

    /** Scans the folder (recording what changed since the saved tree, or a reset), then watches it until {@link #close}. */
    public void start() throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException("share '" + name + "': " + root + " is not a folder");
        }
        Map<String, SyncEntry> saved = log.tree();
        Map<String, SyncEntry> now = scan();
        if (saved == null) {
            record(now, log.latest() == 0 ? List.of() : List.of(new ShareEvent(0, ShareEvent.Type.RESET, "", null, null)));
        } else {
            record(now, TreeChanges.between(saved, now, Set.of()));
        }
        watcher = DirectoryWatcher.builder().path(root).fileHashing(false).listener(this::onEvent).build();
        watcher.watchAsync();
        loop = new Thread(this::run, "caravan-share-" + name);
        loop.setDaemon(true);
        loop.start();
    }

    /** The SHA-256 of a file of the tree, computed once per entry (size, mtime, mode); null when it cannot be read. */
    public String sha256(SyncEntry entry) {
        return sha256(entry, null);
    }

    /** As {@link #sha256(SyncEntry)}, reading with {@code buffer} (one caller's own; null: a new one). */
    public String sha256(SyncEntry entry, byte[] buffer) {
        byte[] known = hashes.get(entry);
        if (known != null) {
            return HEX.formatHex(known);
        }
        try (java.io.InputStream in = Files.newInputStream(root.resolve(entry.path()), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            String sha = io.caravan.util.Sha256.of(in, buffer == null ? new byte[64 * 1024] : buffer);
            hashes.put(entry, HEX.parseHex(sha));
            return sha;
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    /** SHA-256s kept. */
    int hashesKept() {
        return hashes.size();
    }

    private void onEvent(DirectoryChangeEvent event) {
        if (event.path() != null && event.path().startsWith(root) && !event.path().equals(root)) {
            for (Path segment : root.relativize(event.path())) {
                if (NameRules.reserved(segment.toString())) {
                    return; // Caravan's own files (a receiver's state, a follower's staging) never change the share
                }
            }
        }
        synchronized (this) {
            long now = System.nanoTime();
            if (touched.isEmpty()) {
                firstTouch = now;
            }
            lastTouch = now;
            if (event.path() != null && event.path().startsWith(root) && !event.path().equals(root)) {
                touched.add(root.relativize(event.path()).toString());
            } else {
                touched.add(""); // overflow: nothing in particular, compare anyway
            }
            notifyAll();
        }
    }

    private void run() {
        long every = Math.max(rescan.toNanos(), 10_000_000L); // a rescan of zero still lets the loop sleep
        long nextRescan = System.nanoTime() + every;
        while (running) {
            Set<String> batch;
            synchronized (this) {
                long now = System.nanoTime();
                // woken by each event; otherwise asleep until the burst settles (or has lasted too long) or the rescan is due
                long due = touched.isEmpty() ? nextRescan
                        : Math.min(nextRescan, Math.min(lastTouch + settle.toNanos(), firstTouch + 10 * settle.toNanos()));
                if (running && due - now > 0) {
                    try {
                        wait(Math.max(1, (due - now + 999_999) / 1_000_000));
                    } catch (InterruptedException e) {
                        return;
                    }
                    continue;
                }
                if (!running) {
                    continue;
                }
                batch = new HashSet<>(touched);
                touched.clear();
            }
            nextRescan = System.nanoTime() + every;
            try {
                Map<String, SyncEntry> before = log.tree();
                Map<String, Long> inodesBefore = inodes;
                Map<String, SyncEntry> now = scan();
                record(now, TreeChanges.between(before, now, batch, inodesBefore, inodes));
            } catch (IOException | RuntimeException e) {
                LOG.warn("share '{}': comparing {} failed ({}); trying again", name, root, e.toString());
                synchronized (this) {
                    touched.addAll(batch);
                }
            }
        }
    }

    private void record(Map<String, SyncEntry> now, List<ShareEvent> changes) throws IOException {
        keepHashesOf(now); // before the log shows the new tree: whoever sees it sees only its hashes kept
        List<ShareEvent> numbered = log.record(now, changes);
        for (ShareEvent event : numbered) {
            onChange.accept(event);
        }
    }

    /** Keeps the hashes of the files still in the tree {@code now}, keyed by its entries (the old ones are let go). */
    private void keepHashesOf(Map<String, SyncEntry> now) {
        Map<SyncEntry, byte[]> before = hashes;
        if (before.isEmpty()) {
            return;
        }
        Map<SyncEntry, byte[]> kept = new ConcurrentHashMap<>();
        for (SyncEntry entry : now.values()) {
            byte[] known = before.get(entry);
            if (known != null) {
                kept.put(entry, known);
            }
        }
        hashes = kept;
    }

    /** The tree as followers see it: without Caravan's names, and without names they would refuse. */
    Map<String, SyncEntry> scan() throws IOException {
        Map<String, SyncEntry> entries = new TreeMap<>();
        Map<String, Long> found = new java.util.HashMap<>();
        for (Map.Entry<String, SyncEntry> e : TreeScanner.scan(root, OWN_NAMES).entrySet()) {
            if (NameRules.problem(e.getKey()) == null) {
                entries.put(e.getKey(), e.getValue());
                if (e.getValue().type() == SyncEntry.Type.FILE) {
                    try {
                        found.put(e.getKey(), ((Number) java.nio.file.Files.getAttribute(root.resolve(e.getKey()), "unix:ino",
                                java.nio.file.LinkOption.NOFOLLOW_LINKS)).longValue());
                    } catch (IOException | UnsupportedOperationException gone) {
                        // gone since the scan, or no inodes here: paired by size, mtime and mode alone
                    }
                }
            }
        }
        inodes = found;
        return entries;
    }

    @Override
    public void close() throws IOException {
        running = false;
        synchronized (this) {
            notifyAll();
        }
        if (watcher != null) {
            watcher.close();
        }
        if (loop != null) {
            try {
                loop.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        log.save();
    }
}
