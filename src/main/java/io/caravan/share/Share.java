package io.caravan.share;

import io.caravan.fs.FsMessages;
import io.caravan.fs.NameRules;
import io.caravan.sync.PathFilter;
import io.caravan.sync.SyncEntry;
import io.caravan.sync.TreeScanner;
import io.caravan.util.Sha256;
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
 *
 * <p>A scan that fails — the folder holds more than {@code maxEntries} entries, or the scan or its
 * recording ran out of memory or failed otherwise — never ends the share: it is logged as an ERROR
 * naming the share and what to do, the share is {@link #failure() failing} (its followers are told),
 * and the scan is tried again at every rescan until one succeeds.
 */
public final class Share implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Share.class);
    private static final java.util.HexFormat HEX = java.util.HexFormat.of();
    private static final PathFilter OWN_NAMES = PathFilter.of(List.of(PathFilter.Rule.exclude(".caravan"),
            PathFilter.Rule.exclude(".caravan-*")));

    /**
     * The heap a share's entry is given by default: about 320 bytes are held per entry (the tree the log
     * keeps, its listing, the inodes; measured on a share of 100,000 files), more while a rescan holds the
     * new tree beside the old one. A scan that runs out of memory all the same fails like one over the
     * cap (logged, the share failing, tried again at the next rescan).
     */
    static final long BYTES_PER_ENTRY = 768;

    private final String name;
    private final Path root;
    private final ShareLog log;
    private final Duration settle;
    private final Duration rescan;
    private volatile java.util.function.UnaryOperator<java.io.InputStream> hashReads = in -> in;
    private final Consumer<ShareEvent> onChange;
    private final int maxEntries;
    /** Why the last scan failed; null while scans succeed. */
    private volatile String failure;
    /** The entry beyond the name limits the last scan warned of, or null. */
    private volatile String beyondLimitsWarned;
    /** Whether a scan has been recorded since {@link #start}: the first compares with the saved tree. */
    private boolean compared;
    /**
     * SHA-256s of files of the tree, by their entry, each with the inode and ctime the file had when it was
     * read (48 bytes each): a hash is served again only while the entry (path, size, mtime, mode) and the
     * file's inode and ctime are the same. A file rewritten in place with its size and mtime put back has a
     * new ctime, which no one can set, so it is hashed again. Keyed by the tree's own entries and cut down to
     * the tree at every scan, so they never outgrow it.
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

    /** The most entries a share takes by default: what a fair part of the heap holds ({@link #BYTES_PER_ENTRY}). */
    public static int defaultMaxEntries() {
        return (int) Math.max(10_000, Math.min(Integer.MAX_VALUE, Runtime.getRuntime().maxMemory() / BYTES_PER_ENTRY));
    }

    public Share(String name, Path root, ShareLog log, Duration settle, Duration rescan, Consumer<ShareEvent> onChange) {
        this(name, root, log, settle, rescan, defaultMaxEntries(), onChange);
    }

    /** A share of at most {@code maxEntries} entries: a scan that finds more fails, saying so. */
    public Share(String name, Path root, ShareLog log, Duration settle, Duration rescan, int maxEntries,
                 Consumer<ShareEvent> onChange) {
        checkName(name);
        this.maxEntries = maxEntries;
        this.name = name;
        this.root = realFolder(root.toAbsolutePath().normalize());
        this.log = log;
        this.settle = settle;
        this.rescan = rescan;
        this.onChange = onChange;
    }

    /** The folder a configured path names, links along it resolved once here (a share then never follows one). */
    private static Path realFolder(Path configured) {
        try {
            return configured.toRealPath();
        } catch (IOException e) {
            return configured; // missing: start says so
        }
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

    /** Why the share records no changes now (its last scan failed), with what to do; null while it does. */
    public String failure() {
        return failure;
    }

    /**
     * Scans the folder (recording what changed since the saved tree, or a reset), then watches it until
     * {@link #close}. A first scan that fails leaves the share {@link #failure() failing}, and watched: it
     * is tried again at every rescan.
     */
    public void start() throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException("share '" + name + "': " + root + " is not a folder");
        }
        try {
            compare(Set.of());
        } catch (IOException | RuntimeException | Error e) {
            failed(e);
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
        return sha256(entry, buffer, () -> { });
    }

    /**
     * As {@link #sha256(SyncEntry, byte[])}, running {@code whileHashing} after each read of the file (a listing
     * sends its keep-alive bytes there); what {@code whileHashing} throws ends the hashing and is thrown.
     */
    public String sha256(SyncEntry entry, byte[] buffer, Runnable whileHashing) {
        byte[] identity = identity(entry);
        byte[] known = hashes.get(entry);
        if (known != null && identity != null && java.util.Arrays.equals(known, 32, 48, identity, 0, 16)) {
            return HEX.formatHex(known, 0, 32);
        }
        try {
            // confined: a link or pipe swapped in for a folder or file of the share is refused, never hashed
            String sha = io.caravan.sync.TreeScanner.sha256(root, entry.path(), buffer == null ? new byte[64 * 1024] : buffer,
                    in -> new HashReads(hashReads.apply(in), whileHashing));
            if (identity != null) { // taken before the read: a write meanwhile changes the ctime, so it is read again
                byte[] kept = java.util.Arrays.copyOf(HEX.parseHex(sha), 48);
                System.arraycopy(identity, 0, kept, 32, 16);
                hashes.put(entry, kept);
            }
            return sha;
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    /** The file's inode and ctime (in nanoseconds), 16 bytes; null when they cannot be read. */
    private byte[] identity(SyncEntry entry) {
        try {
            Map<String, Object> attrs = java.nio.file.Files.readAttributes(root.resolve(entry.path()), "unix:ino,ctime",
                    java.nio.file.LinkOption.NOFOLLOW_LINKS);
            return java.nio.ByteBuffer.allocate(16).putLong(((Number) attrs.get("ino")).longValue())
                    .putLong(((java.nio.file.attribute.FileTime) attrs.get("ctime")).to(java.util.concurrent.TimeUnit.NANOSECONDS))
                    .array();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Wraps the stream each hash reads a file from: a test slows it down; the stream itself otherwise. */
    void hashReads(java.util.function.UnaryOperator<java.io.InputStream> wrap) {
        this.hashReads = wrap;
    }

    /** A file's bytes as a hash reads them, running an action after each read. */
    private static final class HashReads extends java.io.FilterInputStream {

        private final Runnable afterRead;

        HashReads(java.io.InputStream in, Runnable afterRead) {
            super(in);
            this.afterRead = afterRead;
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            int n = super.read(bytes, offset, length);
            afterRead.run();
            return n;
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
                // woken by each event; otherwise asleep until the burst settles (or has lasted too long) or the rescan
                // is due; a failing share waits for the rescan whatever changes
                long due = touched.isEmpty() || failure != null ? nextRescan
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
                compare(batch);
            } catch (IOException | RuntimeException | Error e) { // an OutOfMemoryError too: the share goes on
                failed(e);
                synchronized (this) {
                    touched.addAll(batch);
                }
            }
        }
    }

    /** Scans the tree and records how it differs from the last one (the first time: from the saved one). */
    private void compare(Set<String> batch) throws IOException {
        Map<String, SyncEntry> before = log.tree();
        Map<String, Long> inodesBefore = inodes;
        Map<String, SyncEntry> now = scan();
        if (!compared) {
            record(now, before != null ? TreeChanges.between(before, now, Set.of())
                    : log.latest() == 0 ? List.of() : List.of(new ShareEvent(0, ShareEvent.Type.RESET, "", null, null)));
            compared = true;
        } else {
            record(now, TreeChanges.between(before, now, batch, inodesBefore, inodes, this::sha256));
        }
        if (failure != null) {
            failure = null;
            LOG.info("share '{}': {} is scanned again; its changes are recorded", name, root);
        }
    }

    /** Notes why a scan failed, and logs it as an ERROR when the reason is new. */
    private void failed(Throwable e) {
        inodes = Map.of(); // let the last scan's go: memory may be what is short
        boolean memory = false;
        for (Throwable t = e; t != null && !memory; t = t.getCause()) {
            memory = t instanceof OutOfMemoryError; // Camel and some libraries wrap it
        }
        String why = e instanceof TooManyEntriesException ? e.getMessage()
                : memory ? "share '" + name + "': scanning " + root + " ran out of memory (" + e.getMessage() + "): give"
                        + " Caravan a larger heap (JAVA_OPTS=-Xmx2g, say) or share a smaller folder"
                : "share '" + name + "': scanning " + root + " failed (" + (e instanceof java.nio.file.FileSystemException f
                        ? NameRules.shortened(f.getFile()) + ": " + FsMessages.reason(f)
                        : NameRules.shortened(String.valueOf(e))) + ")";
        why += "; no changes are recorded until a scan succeeds (tried again every " + rescan.toSeconds() + " s)";
        if (!why.equals(failure)) {
            LOG.error(why);
        }
        failure = why;
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
        if (!Files.isDirectory(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) { // else a scan, which never enters a link, lists nothing
            throw new IOException("share '" + name + "': " + root + (Files.isSymbolicLink(root)
                    ? " is a symbolic link now, which a share never follows" : " is no folder now")
                    + ": nothing of it is shared; put the shared folder itself back at " + root);
        }
        Map<String, SyncEntry> entries = new TreeMap<>();
        Map<String, Long> found = new java.util.HashMap<>();
        List<String> beyond = new java.util.ArrayList<>(1);
        Map<String, SyncEntry> scanned = TreeScanner.scan(root, OWN_NAMES,
                unreadable -> LOG.warn("share '{}': '{}' below {} is not a valid UTF-8 name: left out (rename it to share it)", name,
                        NameRules.shortened(unreadable), root),
                path -> {
                    if (beyond.isEmpty()) {
                        beyond.add(path);
                    }
                });
        warnBeyondLimits(beyond.isEmpty() ? null : beyond.get(0));
        for (Map.Entry<String, SyncEntry> e : scanned.entrySet()) {
            if (NameRules.problem(e.getKey()) == null) {
                if (entries.size() == maxEntries) {
                    throw new TooManyEntriesException("share '" + name + "': " + root + " holds more than " + maxEntries
                            + " entries, more than a share takes with a heap of " + (Runtime.getRuntime().maxMemory() >> 20)
                            + " MiB: give Caravan a larger heap (JAVA_OPTS=-Xmx2g, say) or share a smaller folder");
                }
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

    /**
     * Warns once of the first entry a scan left out for being beyond the name limits; not again while
     * the scans find the same one.
     */
    private void warnBeyondLimits(String first) {
        if (first != null && !first.equals(beyondLimitsWarned)) {
            LOG.warn("share '{}': '{}' below {} is beyond the name limits ({}): it and everything below it, and any other"
                    + " such entry, are left out; the rest is shared", name, NameRules.shortened(first), root,
                    NameRules.lengthProblem(first));
        }
        beyondLimitsWarned = first;
    }

    /** A scan found more entries than the share takes. */
    static final class TooManyEntriesException extends IOException {
        TooManyEntriesException(String message) {
            super(message);
        }
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
