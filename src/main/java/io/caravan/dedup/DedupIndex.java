package io.caravan.dedup;

import io.caravan.unpack.ExtractHooks;
import io.caravan.unpack.ReferenceUnavailableException;
import io.caravan.util.AlignedBuffers;
import io.caravan.util.DirectFileInputStream;
import io.caravan.util.FileIdentity;
import io.caravan.util.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SHA-256 → published file, for every file the receiver published above the dedup threshold,
 * kept in memory and in a JSON-lines log ({@link DedupLog}). Each entry holds the file's identity
 * (device, inode, size, mtime, ctime) as it was when hashed: an entry whose file changed in any of
 * them, went away, or is reached through a symlinked folder is dropped, and {@link #forget} drops
 * the entries of a path that a publish replaces or removes. A reference is {@link #materialise}d
 * only from bytes that still hash to it: a hard link after the identity was checked right before
 * it (and the file hashed again when the identity was seen too soon after a change to vouch for
 * it), otherwise a copy that is hashed as it is written and deleted when it does not match.
 *
 * <p>Files published from archives are hashed after their publish, not while they are extracted,
 * so a publish never waits for indexing: they wait in a queue (also in the log, so a restart keeps
 * them) that a background thread works through while no upload is running, and a lookup that
 * misses finishes the queue first, so an answer never depends on the timing.
 */
public final class DedupIndex implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DedupIndex.class);
    /** Lines in the log beyond twice the live entries (plus this) make the next start rewrite it. */
    private static final long COMPACT_SLACK = 64;

    /**
     * An indexed file: its content hash (null while it waits to be hashed), path relative to the
     * inbox, identity when it was hashed, and when that identity was seen (wall clock).
     */
    public record StoredFile(String sha256, String path, FileIdentity identity, long seenMillis) {

        public long size() {
            return identity.size();
        }

        /** Whether its identity was seen too soon after the file's last change to vouch for its bytes. */
        boolean inDoubt() {
            return !identity.settledBefore(seenMillis);
        }
    }

    private final Path inbox;
    private final DedupLog log;
    private final BooleanSupplier idle;
    private final Map<String, StoredFile> bySha = new ConcurrentHashMap<>();
    /** Indexed files by path; guarded by {@code this}, as are all changes to {@code bySha}. */
    private final NavigableMap<String, StoredFile> byPath = new TreeMap<>();
    /** Files waiting to be hashed, by path, oldest first; guarded by {@code this}. */
    private final Map<String, StoredFile> pending = new LinkedHashMap<>();
    /** Held while a file is hashed: one at a time, by the background thread or a lookup. */
    private final Object hashing = new Object();
    private final AlignedBuffers readBuffer = new AlignedBuffers(1);
    private Thread indexer;
    private volatile boolean closed;

    public DedupIndex(Path inbox, Path logFile) throws IOException {
        this(inbox, logFile, () -> true);
    }

    /**
     * Opens the index logged in {@code logFile}, skipping damaged lines (the log is then rewritten
     * without them). {@code idle}: whether the background thread may hash now (no uploads running).
     */
    public DedupIndex(Path inbox, Path logFile, BooleanSupplier idle) throws IOException {
        this.inbox = inbox.toAbsolutePath().normalize();
        this.log = new DedupLog(logFile);
        this.idle = idle;
        dropTabSeparatedIndex(logFile.resolveSibling("dedup.tsv"));
        DedupLog.Loaded loaded;
        synchronized (this) {
            loaded = log.load(new DedupLog.Replay() {
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
        if (!pending.isEmpty()) {
            startIndexer();
        }
    }

    /**
     * The index of releases before the JSON-lines log: names could break its lines, so it is not
     * read; files published before are found again once published anew.
     */
    private static void dropTabSeparatedIndex(Path tsv) {
        try {
            if (Files.deleteIfExists(tsv)) {
                LOG.info("dedup index: the old {} was dropped (names could corrupt it); files published before are"
                        + " sent in full once more", tsv);
            }
        } catch (IOException e) {
            LOG.warn("dedup index: the old {} cannot be removed ({}); it is not used", tsv, e.getMessage());
        }
    }

    /** The intact stored file with this content, if any; hashes the files still waiting first. */
    public Optional<StoredFile> find(String sha256) {
        Optional<StoredFile> found = intact(sha256);
        if (found.isPresent() || !hasPending()) {
            return found;
        }
        while (hashNext()) {
            // the whole queue: the content may be in any of the waiting files
        }
        return intact(sha256);
    }

    /**
     * The entry for this hash if its file still has the identity it was hashed with. When only the
     * ctime differs (a hard link, a chmod, or a write that put the mtime back), the file is hashed
     * again to tell; an entry whose file changed otherwise, or went away, is dropped.
     */
    private Optional<StoredFile> intact(String sha256) {
        StoredFile file = bySha.get(sha256);
        if (file == null) {
            return Optional.empty();
        }
        FileIdentity now = identity(file).orElse(null);
        if (file.identity().equals(now)) {
            return Optional.of(file);
        }
        if (now != null && now.sameContentClaims(file.identity())) {
            return verified(file);
        }
        drop(file);
        return Optional.empty();
    }

    /** The current identity of an entry's file, read without following any link on its way; empty when gone or unsafe. */
    private Optional<FileIdentity> identity(StoredFile file) {
        try {
            Path path = IndexedPaths.resolve(inbox, file.path());
            return path == null ? Optional.empty() : FileIdentity.ofRegularFile(path);
        } catch (IOException e) {
            return Optional.empty(); // unreadable: treat as gone
        }
    }

    /**
     * Hashes the entry's file again: the entry with the identity seen just before, when the bytes
     * still hash to it and nothing changed meanwhile; else the entry is dropped and empty answered.
     */
    private Optional<StoredFile> verified(StoredFile file) {
        long seen = System.currentTimeMillis();
        FileIdentity before = identity(file).orElse(null);
        if (before == null || !before.sameContentClaims(file.identity())) {
            drop(file);
            return Optional.empty();
        }
        String sha = hash(resolved(file));
        if (sha == null || !sha.equals(file.sha256()) || !before.equals(identity(file).orElse(null))) {
            drop(file);
            return Optional.empty();
        }
        StoredFile checked = new StoredFile(file.sha256(), file.path(), before, seen);
        replace(file, checked);
        return Optional.of(checked);
    }

    private Path resolved(StoredFile file) {
        try {
            return IndexedPaths.resolve(inbox, file.path());
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Writes the stored content with this SHA-256 to {@code target}, a path that does not exist yet:
     * a hard link to the stored file when {@code mayLink} accepts it and the file is, right before
     * the link, the one that was hashed (hashed again first when its identity was seen too soon
     * after a change to vouch for it); else a copy hashed as it is written. Returns whether it linked.
     *
     * @throws ReferenceUnavailableException when no stored file holds these bytes (any more); the
     *         entry is dropped and nothing is left at {@code target}
     */
    public boolean materialise(String sha256, long size, Path target, ExtractHooks.StoredFileCheck mayLink)
            throws IOException {
        StoredFile file = find(sha256).orElseThrow(() -> new ReferenceUnavailableException(null, sha256,
                "this receiver does not hold (never published, or changed or removed since)"));
        if (size >= 0 && file.size() != size) {
            throw new ReferenceUnavailableException(null, sha256, "this receiver holds with " + file.size()
                    + " bytes, not " + size);
        }
        Path stored = resolved(file);
        if (stored != null && mayLink.test(stored) && linked(file, stored, target)) {
            return true;
        }
        copyVerified(file, target);
        return false;
    }

    /**
     * Links {@code target} to the stored file if it still is the file that was hashed; false when it
     * cannot be linked here or changed meanwhile (the checked copy then decides).
     */
    private boolean linked(StoredFile file, Path stored, Path target) throws IOException {
        if (file.inDoubt()) {
            StoredFile doubted = file;
            file = verified(doubted).orElseThrow(() -> unavailable(doubted, "no longer holds these bytes"));
        }
        FileIdentity before = FileIdentity.ofRegularFile(stored).orElse(null);
        if (!file.identity().equals(before)) {
            return false;
        }
        try {
            Files.createLink(target, stored);
        } catch (IOException | UnsupportedOperationException e) {
            return false; // another file system, or links not allowed here
        }
        FileIdentity after = FileIdentity.ofRegularFile(target).orElse(null);
        if (after == null || !after.sameContentClaims(before)) {
            Files.deleteIfExists(target);
            return false;
        }
        // the link itself changed the ctime: note the new identity, seen now, so the next link hashes first
        replace(file, new StoredFile(file.sha256(), file.path(), after, System.currentTimeMillis()));
        return true;
    }

    /** Copies the stored file to {@code target} while hashing it; deletes the copy and drops the entry when the bytes differ. */
    private void copyVerified(StoredFile file, Path target) throws IOException {
        Path stored = resolved(file);
        if (stored == null) {
            throw unavailable(file, "a folder on its way was replaced");
        }
        long seen = System.currentTimeMillis();
        FileIdentity before = FileIdentity.ofRegularFile(stored).orElse(null);
        if (before == null || !before.sameContentClaims(file.identity())) {
            throw unavailable(file, "changed or went away since it was hashed");
        }
        MessageDigest digest = Sha256.newDigest();
        long copied = 0;
        byte[] buffer = new byte[AlignedBuffers.SIZE];
        boolean same = false;
        try (InputStream in = Files.newInputStream(stored, LinkOption.NOFOLLOW_LINKS);
             OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
                out.write(buffer, 0, n);
                copied += n;
            }
            same = copied == file.size() && Sha256.hex(digest).equals(file.sha256());
        } finally {
            if (!same) {
                Files.deleteIfExists(target);
            }
        }
        if (!same) {
            throw unavailable(file, "no longer holds these bytes");
        }
        if ((file.inDoubt() || !before.equals(file.identity()))
                && before.equals(FileIdentity.ofRegularFile(stored).orElse(null))) {
            replace(file, new StoredFile(file.sha256(), file.path(), before, seen));
        }
    }

    private ReferenceUnavailableException unavailable(StoredFile file, String what) {
        drop(file);
        return new ReferenceUnavailableException(null, file.sha256(), "was stored as " + file.path() + " but " + what);
    }

    /** Indexes published files: path → sha256 (a file that is not a regular file inside the inbox is skipped). */
    public void record(List<Map.Entry<Path, String>> files) {
        List<StoredFile> added = new ArrayList<>();
        for (Map.Entry<Path, String> e : files) {
            StoredFile stored = stored(e.getKey(), e.getValue());
            if (stored != null) {
                added.add(stored);
            }
        }
        synchronized (this) {
            for (StoredFile stored : added) {
                pending.remove(stored.path());
                put(stored);
            }
            log.indexed(added);
        }
    }

    /** Queues published files to be hashed and indexed off the publish path. */
    public void recordLater(List<Path> files) {
        List<StoredFile> queued = new ArrayList<>();
        for (Path file : files) {
            StoredFile stored = stored(file, null);
            if (stored != null) {
                queued.add(stored);
            }
        }
        if (queued.isEmpty()) {
            return;
        }
        synchronized (this) {
            for (StoredFile stored : queued) {
                pending.put(stored.path(), stored);
            }
            log.queued(queued);
            startIndexer();
            notifyAll();
        }
    }

    /**
     * Drops every entry (indexed or waiting) at or under {@code pathOrFolder} (absolute inside the
     * inbox, or relative to it). Every publish that replaces or removes a path calls this for it.
     */
    public synchronized void forget(Path pathOrFolder) {
        String path = IndexedPaths.of(inbox, pathOrFolder);
        if (path != null && remove(path)) {
            log.forgotten(path);
        }
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

    /** Forgets a changed entry, if it is still the one indexed for its path. */
    private synchronized void drop(StoredFile file) {
        bySha.remove(file.sha256(), file);
        if (byPath.get(file.path()) == file) {
            byPath.remove(file.path());
            log.forgotten(file.path());
        }
    }

    /** Notes a new identity of the same content, if the entry is still current. */
    private synchronized void replace(StoredFile old, StoredFile updated) {
        if (byPath.get(old.path()) == old) {
            put(updated);
            log.indexed(List.of(updated));
        }
    }

    private void put(StoredFile file) {
        StoredFile previous = byPath.put(file.path(), file);
        if (previous != null) {
            bySha.remove(previous.sha256(), previous);
        }
        bySha.put(file.sha256(), file);
    }

    synchronized boolean hasPending() {
        return !pending.isEmpty();
    }

    /** Hashes the oldest waiting file (dropped if it changed or vanished); false when none was waiting. */
    private boolean hashNext() {
        synchronized (hashing) {
            StoredFile next;
            synchronized (this) {
                Iterator<StoredFile> it = pending.values().iterator();
                if (!it.hasNext()) {
                    return false;
                }
                next = it.next();
            }
            long seen = System.currentTimeMillis();
            Optional<FileIdentity> before = identity(next);
            String sha = next.identity().equals(before.orElse(null)) ? hash(resolved(next)) : null;
            boolean unchanged = sha != null && next.identity().equals(identity(next).orElse(null));
            synchronized (this) {
                if (pending.get(next.path()) != next) {
                    return true; // published again or forgotten meanwhile
                }
                if (closed) {
                    return false;
                }
                pending.remove(next.path());
                if (unchanged) {
                    StoredFile indexed = new StoredFile(sha, next.path(), next.identity(), seen);
                    put(indexed);
                    log.indexed(List.of(indexed));
                }
            }
            return true;
        }
    }

    /**
     * The file's SHA-256, or null if it is gone, unreadable or the index is closing. Read with
     * O_DIRECT where possible: large published files were written so, and reading them back through
     * the page cache would cost more CPU than the hashing.
     */
    private String hash(Path file) {
        if (file == null) {
            return null;
        }
        MessageDigest digest = Sha256.newDigest();
        byte[] bytes = new byte[AlignedBuffers.SIZE];
        try (InputStream in = DirectFileInputStream.open(file, readBuffer)) {
            for (int n; (n = in.read(bytes)) > 0; ) {
                if (closed) {
                    return null; // shutting down: the file stays queued in the log
                }
                digest.update(bytes, 0, n);
            }
            return Sha256.hex(digest);
        } catch (IOException e) {
            return null; // removed or unreadable: not indexed
        }
    }

    private synchronized void startIndexer() {
        if (indexer != null || closed) {
            return;
        }
        indexer = new Thread(this::indexInBackground, "caravan-dedup-index");
        indexer.setDaemon(true);
        indexer.setPriority(Thread.MIN_PRIORITY);
        indexer.start();
    }

    private void indexInBackground() {
        try {
            while (true) {
                synchronized (this) {
                    while (!closed && pending.isEmpty()) {
                        wait();
                    }
                    if (closed) {
                        return;
                    }
                }
                if (idle.getAsBoolean()) {
                    hashNext();
                } else {
                    Thread.sleep(200);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the background thread; waiting files stay queued in the log. */
    @Override
    public void close() {
        Thread thread;
        synchronized (this) {
            closed = true;
            thread = indexer;
            notifyAll();
        }
        if (thread != null) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** An entry for a published file, or null when it is not a regular file reached through real folders inside the inbox. */
    private StoredFile stored(Path file, String sha256) {
        String path = IndexedPaths.of(inbox, file);
        Optional<FileIdentity> identity;
        try {
            Path resolved = path == null ? null : IndexedPaths.resolve(inbox, path);
            identity = resolved == null ? Optional.empty() : FileIdentity.ofRegularFile(resolved);
        } catch (IOException e) {
            identity = Optional.empty();
        }
        if (identity.isEmpty()) {
            LOG.debug("dedup index: {} is not a file inside the inbox; not indexed", file);
            return null;
        }
        return new StoredFile(sha256, path, identity.get(), System.currentTimeMillis());
    }
}
