package io.caravan.receiver;

import io.caravan.util.AlignedBuffers;
import io.caravan.util.DirectFileInputStream;
import io.caravan.util.Sha256;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SHA-256 → published file, for every file the receiver published above the dedup threshold. Kept
 * in memory and appended to {@code dedup.tsv}; an entry whose file was since changed (size or
 * mtime differ) or removed is dropped when looked up, so a hit always names intact content.
 *
 * <p>Files published from archives are hashed after their publish, not while they are extracted,
 * so a publish never waits for indexing: they wait in a queue (also in {@code dedup.tsv}, so a
 * restart keeps them) that a background thread works through while no upload is running, and a
 * lookup that misses finishes the queue first, so an answer never depends on the timing.
 */
public final class DedupIndex implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DedupIndex.class);
    /** The hash column of a file published but not hashed yet. */
    private static final String PENDING = "-";

    /** A stored file: its path relative to the inbox, size and mtime when indexed. */
    public record StoredFile(String sha256, String path, long size, long mtimeMillis) {
    }

    private final Path inbox;
    private final Path logFile;
    private final BooleanSupplier idle;
    private final Map<String, StoredFile> bySha = new ConcurrentHashMap<>();
    /** Files waiting to be hashed, by relative path, oldest first; guarded by {@code this}. */
    private final Map<String, StoredFile> pending = new LinkedHashMap<>();
    /** Held while a file is hashed: one at a time, by the background thread or a lookup. */
    private final Object hashing = new Object();
    private final AlignedBuffers readBuffer = new AlignedBuffers(1);
    private Thread indexer;
    private volatile boolean closed;

    public DedupIndex(Path inbox, Path logFile) throws IOException {
        this(inbox, logFile, () -> true);
    }

    /** {@code idle}: whether the background thread may hash now (the receiver is not busy with uploads). */
    public DedupIndex(Path inbox, Path logFile, BooleanSupplier idle) throws IOException {
        this.inbox = inbox.toAbsolutePath().normalize();
        this.logFile = logFile;
        this.idle = idle;
        if (Files.isRegularFile(logFile)) {
            for (String line : Files.readAllLines(logFile, StandardCharsets.UTF_8)) {
                String[] f = line.split("\t", 4);
                if (f.length == 4) {
                    StoredFile file = new StoredFile(f[0], f[3], Long.parseLong(f[1]), Long.parseLong(f[2]));
                    if (PENDING.equals(file.sha256())) {
                        pending.put(file.path(), file);
                    } else {
                        bySha.put(file.sha256(), file);
                        pending.remove(file.path());
                    }
                }
            }
        }
        if (!pending.isEmpty()) {
            startIndexer();
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

    private Optional<StoredFile> intact(String sha256) {
        StoredFile file = bySha.get(sha256);
        if (file == null) {
            return Optional.empty();
        }
        if (unchanged(file)) {
            return Optional.of(file);
        }
        bySha.remove(sha256, file);
        return Optional.empty();
    }

    private boolean unchanged(StoredFile file) {
        Path path = inbox.resolve(file.path());
        try {
            return Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS) && Files.size(path) == file.size()
                    && Files.getLastModifiedTime(path).toMillis() == file.mtimeMillis();
        } catch (IOException e) {
            return false; // treat as gone
        }
    }

    public Path resolve(StoredFile file) {
        return inbox.resolve(file.path());
    }

    /** Indexes published files: path → sha256. */
    public synchronized void record(List<Map.Entry<Path, String>> files) throws IOException {
        if (files.isEmpty()) {
            return;
        }
        try (BufferedWriter out = appender()) {
            for (Map.Entry<Path, String> e : files) {
                StoredFile stored = stored(e.getKey(), e.getValue());
                bySha.put(stored.sha256(), stored);
                pending.remove(stored.path());
                write(out, stored);
            }
        }
    }

    /** Queues published files to be hashed and indexed off the publish path. */
    public synchronized void recordLater(List<Path> files) throws IOException {
        if (files.isEmpty()) {
            return;
        }
        try (BufferedWriter out = appender()) {
            for (Path file : files) {
                StoredFile stored = stored(file, PENDING);
                pending.put(stored.path(), stored);
                write(out, stored);
            }
        }
        startIndexer();
        notifyAll();
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
            String sha = unchanged(next) ? hash(inbox.resolve(next.path())) : null;
            synchronized (this) {
                if (pending.get(next.path()) != next) {
                    return true; // published again meanwhile: that newer entry is still waiting
                }
                if (closed) {
                    return false;
                }
                pending.remove(next.path());
                if (sha != null && unchanged(next)) {
                    StoredFile indexed = new StoredFile(sha, next.path(), next.size(), next.mtimeMillis());
                    bySha.put(sha, indexed);
                    try (BufferedWriter out = appender()) {
                        write(out, indexed);
                    } catch (IOException e) {
                        LOG.warn("dedup index: cannot append to {} ({}); {} stays indexed until a restart",
                                logFile, e.getMessage(), next.path());
                    }
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
        MessageDigest digest = Sha256.newDigest();
        byte[] bytes = new byte[AlignedBuffers.SIZE];
        try (InputStream in = DirectFileInputStream.open(file, readBuffer)) {
            for (int n; (n = in.read(bytes)) > 0; ) {
                if (closed) {
                    return null; // shutting down: the file stays queued in dedup.tsv
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

    /** Stops the background thread; waiting files stay queued in {@code dedup.tsv}. */
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

    private StoredFile stored(Path file, String sha256) throws IOException {
        return new StoredFile(sha256, inbox.relativize(file.toAbsolutePath().normalize()).toString(),
                Files.size(file), Files.getLastModifiedTime(file).toMillis());
    }

    private BufferedWriter appender() throws IOException {
        return Files.newBufferedWriter(logFile, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static void write(BufferedWriter out, StoredFile file) throws IOException {
        out.write(file.sha256() + "\t" + file.size() + "\t" + file.mtimeMillis() + "\t" + file.path() + "\n");
    }
}
