package io.caravan.dedup;

import io.caravan.unpack.ExtractHooks;
import io.caravan.unpack.ReferenceUnavailableException;
import io.caravan.util.FileIdentity;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ContentIndex} of a receiver's inbox: SHA-256 → published file, for every file the
 * receiver published above the dedup threshold, kept in an {@link IndexStore}: this receiver's own, in
 * memory and in a JSON-lines log ({@link IndexStore#inLog}), or one that receivers sharing the inbox
 * share. Each entry holds the file's identity as it was when hashed and is checked against the file
 * before it is answered ({@link StoredFileCheck}) or materialised ({@link Materialiser}).
 *
 * <p>Files published from archives are hashed after their publish, not while they are extracted,
 * so a publish never waits for indexing: they wait in the store's queue (kept across restarts) that is
 * worked through on a scheduler while no upload is running ({@link IndexingQueue}), and a lookup that
 * misses finishes the queue first (and waits for files other receivers are hashing), so an answer never
 * depends on the timing.
 */
public final class DedupIndex implements ContentIndex {

    private static final Logger LOG = LoggerFactory.getLogger(DedupIndex.class);

    private final Path inbox;
    private final IndexStore entries;
    private final StoredFileCheck check;
    private final Materialiser materialiser;
    private final IndexingQueue queue;
    /** The scheduler this index made for itself (and shuts down on close), or null when it was given one. */
    private final ScheduledExecutorService ownScheduler;

    public DedupIndex(Path inbox, Path logFile) throws IOException {
        this(inbox, logFile, () -> true);
    }

    /** As below, hashing on a daemon thread of its own, which {@link #close} ends. */
    public DedupIndex(Path inbox, Path logFile, BooleanSupplier idle) throws IOException {
        this(inbox, logFile, idle, null);
    }

    /**
     * Opens the index logged in {@code logFile}, skipping damaged lines (the log is then rewritten
     * without them). {@code idle}: whether queued files may be hashed now (no uploads running);
     * {@code scheduler}: where they are hashed (one at a time), or null for a thread of its own.
     */
    public DedupIndex(Path inbox, Path logFile, BooleanSupplier idle, ScheduledExecutorService scheduler)
            throws IOException {
        this(inbox, IndexStore.inLog(logFile), idle, scheduler);
    }

    /** Opens the index kept in {@code store}; {@code idle} and {@code scheduler} as above. */
    public DedupIndex(Path inbox, IndexStore store, BooleanSupplier idle, ScheduledExecutorService scheduler) {
        this.inbox = inbox.toAbsolutePath().normalize();
        this.ownScheduler = scheduler == null ? Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "caravan-dedup-index");
            thread.setDaemon(true);
            thread.setPriority(Thread.MIN_PRIORITY);
            return thread;
        }) : null;
        this.entries = store;
        BooleanSupplier[] closing = new BooleanSupplier[1];
        this.check = new StoredFileCheck(this.inbox, entries, () -> closing[0].getAsBoolean());
        this.materialiser = new Materialiser(entries, check);
        this.queue = new IndexingQueue(entries, check, idle, scheduler != null ? scheduler : ownScheduler);
        closing[0] = queue::closing;
        entries.load();
        queue.wake();
    }

    /** The intact stored file with this content, if any; hashes the files still waiting first. */
    @Override
    public Optional<StoredFile> find(String sha256) {
        Optional<StoredFile> found = check.intact(sha256);
        if (found.isPresent() || !hasPending()) {
            return found;
        }
        queue.drain();
        return check.intact(sha256);
    }

    @Override
    public boolean materialise(String sha256, long size, Path target, ExtractHooks.StoredFileCheck mayLink)
            throws IOException {
        StoredFile file = find(sha256).orElseThrow(() -> new ReferenceUnavailableException(null, sha256,
                "this receiver does not hold (never published, or changed or removed since)"));
        return materialiser.materialise(file, size, target, mayLink);
    }

    @Override
    public void record(List<Map.Entry<Path, String>> files) {
        List<StoredFile> added = new ArrayList<>();
        for (Map.Entry<Path, String> e : files) {
            StoredFile stored = stored(e.getKey(), e.getValue());
            if (stored != null) {
                added.add(stored);
            }
        }
        entries.indexed(added);
    }

    @Override
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
        entries.queued(queued);
        queue.wake();
    }

    /** Every publish that replaces or removes a path calls this for it. */
    @Override
    public void forget(Path pathOrFolder) {
        String path = IndexedPaths.of(inbox, pathOrFolder);
        if (path != null) {
            entries.forget(path);
        }
    }

    boolean hasPending() {
        return entries.hasPending();
    }

    /** Stops the background hashing; waiting files stay queued in the log. */
    @Override
    public void close() {
        queue.close();
        if (ownScheduler != null) {
            ownScheduler.shutdownNow();
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
