package io.caravan.receiver;

import io.caravan.CaravanException;
import io.caravan.StorageException;
import io.caravan.session.RequestRejectedException;
import io.caravan.session.Session;
import io.caravan.session.SessionListener;
import io.caravan.session.SessionStore;
import io.caravan.unpack.ExtractHooks;
import io.caravan.unpack.ExtractLimitException;
import io.caravan.unpack.SafeExtractor;
import io.caravan.unpack.Staging;
import io.caravan.unpack.UnpackOptions;
import io.caravan.unpack.UnsafeEntryException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;

/**
 * Extracts an archive session while its chunks arrive: a run on the {@link ExtractionPool} reads the
 * contiguous prefix of stored chunks ({@link ChunkFeed}), decompresses and untars into the session's
 * staging folder. No thread is held for a session whose run waits in the queue, and a run that waits
 * long for a chunk while others queue gives its thread up (parks) and starts again once that chunk
 * arrives or at finish. A chunk replaced after it was read restarts the extraction from chunk 0 in a
 * fresh staging folder. {@link #finish} ends the stream at the manifest's chunk count and waits.
 * A failed extraction removes its staging folder at once. A failure of the storage (no space, an
 * I/O error) is passing: the next chunk stored or finish starts the extraction again. An entry or
 * limit the receiver refuses is final: {@link #throwIfRefused} answers it to every later upload.
 */
final class ArchiveAssembler implements SessionListener {

    /** What a finished extraction produced; {@code reportedFiles} are the files the hooks asked for. */
    record Outcome(SafeExtractor.Result result, String streamSha256, List<ReportedFile> reportedFiles) {
    }

    /** A file named as in the archive, with its SHA-256 if the hooks had it hashed (else null). */
    record ReportedFile(String name, String sha256) {
    }

    /** How many chunks past the one being read the store keeps in memory for this extraction. */
    private static final int READ_AHEAD = 3;

    private final Session session;
    private final SessionStore store;
    private final Path stagingDir;
    private final Path inbox;
    private final UnpackOptions options;
    private final ExtractHooks contentHooks;
    private final ExtractionPool pool;
    /** Guards the state below; runs wait on it for chunks, finishes for runs. */
    final Object monitor = new Object();
    private int generation;
    private int nextIndex;
    private Integer totalChunks;
    private boolean closed;
    private ExtractionRun run;
    /** Whether a run is using the staging folder (older runs stopping, or the current one). */
    private boolean stagingTaken;
    /** The chunk the current run gave its thread up waiting for; null when it did not. */
    private Integer parkedAt;
    private Throwable failure;
    private Outcome outcome;
    /** The chunk the extraction was reading when it failed (chunks after it cannot change a refusal). */
    private int failedAt;

    ArchiveAssembler(Session session, SessionStore store, Path stagingDir, Path inbox, UnpackOptions options,
                     ExtractHooks contentHooks, ExtractionPool pool) {
        this.session = session;
        this.store = store;
        this.stagingDir = stagingDir;
        this.inbox = inbox;
        this.options = options;
        this.contentHooks = contentHooks;
        this.pool = pool;
    }

    Path stagingDir() {
        return stagingDir;
    }

    /** Starts (or restarts) extraction from chunk 0 in an empty staging folder; never waits for a thread. */
    void start() {
        synchronized (monitor) {
            if (closed) {
                return;
            }
            int gen = ++generation;
            if (run != null) {
                run.cancelIfQueued(); // a run that started stops at its next chunk: it is no longer current
            }
            nextIndex = 0;
            failure = null;
            outcome = null;
            parkedAt = null;
            monitor.notifyAll();
            try {
                run = new ExtractionRun(this, gen, pool);
            } catch (RejectedExecutionException e) {
                run = null;
                failure = new RequestRejectedException(503, "stopping", "the receiver is stopping and extracts no"
                        + " more; finish session " + session.meta().id() + " again once it is back");
            }
        }
    }

    @Override
    public boolean wantsBody(Session s, int index) {
        synchronized (monitor) {
            return !closed && parkedAt == null && index >= nextIndex && index < nextIndex + READ_AHEAD;
        }
    }

    @Override
    public void chunkStored(Session s, int index, boolean replaced) {
        boolean restart;
        synchronized (monitor) {
            // a chunk could be stored, so the storage works again: a failure it caused is retried
            restart = replaced && index < nextIndex || failure instanceof StorageException
                    || parkedAt != null && session.chunk(parkedAt) != null;
            monitor.notifyAll();
        }
        if (restart) {
            start();
        }
    }

    /** Ends the stream after {@code total} chunks and waits for extraction to finish. */
    Outcome finish(int total) throws IOException {
        boolean again;
        synchronized (monitor) {
            totalChunks = total;
            // a chunk beyond the manifest's count (left from a longer version) was already read: read again,
            // ending at total; a parked run starts again now that every chunk is there
            again = nextIndex > total || parkedAt != null;
            monitor.notifyAll();
        }
        if (again) {
            start();
        }
        awaitRun();
        boolean passing;
        synchronized (monitor) {
            passing = failure instanceof StorageException;
        }
        if (passing) {
            // the storage failed earlier (a full disk): try again now, it may have room by now
            start();
            awaitRun();
        }
        synchronized (monitor) {
            if (failure instanceof CaravanException e) {
                throw e;
            }
            if (failure instanceof IOException e) {
                throw e;
            }
            if (failure != null) {
                throw new CaravanException("extraction failed: " + failure.getMessage(), failure);
            }
            if (outcome == null) {
                throw new CaravanException("extraction of session " + session.meta().id() + " was restarted; finish again");
            }
            return outcome;
        }
    }

    /**
     * Lets a failed finish be retried with more chunks: the stream is open-ended again. A refusal
     * stays (extracting the same chunks again would refuse the same entry) until a chunk it read is
     * replaced; after a storage failure the next chunk stored or finish starts it again, not this.
     */
    void reopen() {
        synchronized (monitor) {
            totalChunks = null;
            if (refusal(failure) || failure instanceof StorageException) {
                return;
            }
        }
        start();
    }

    /** Whether the extraction ended with a refusal (an entry it will not extract, a limit). */
    boolean refused() {
        synchronized (monitor) {
            return refusal(failure);
        }
    }

    /**
     * Throws the refusal that ended the extraction as the answer to a chunk upload: {@code index} is
     * the chunk being uploaded, or -1 once it was stored. A chunk at or before the one the extraction
     * failed on may replace a chunk it read and so start it again: such a chunk is stored first.
     */
    void throwIfRefused(int index) {
        synchronized (monitor) {
            if (!refusal(failure) || index >= 0 && index <= failedAt) {
                return;
            }
            if (failure instanceof UnsafeEntryException unsafe) {
                throw new RefusedEntryException(unsafe);
            }
            throw (CaravanException) failure;
        }
    }

    /** Throws the refusal that ended the extraction as it is, for a finish (whatever chunks are missing). */
    void throwRefusal() {
        synchronized (monitor) {
            if (refusal(failure)) {
                throw (CaravanException) failure;
            }
        }
    }

    private static boolean refusal(Throwable failure) {
        return failure instanceof UnsafeEntryException || failure instanceof ExtractLimitException;
    }

    /** Waits until the run current now has ended (it may be superseded meanwhile). */
    private void awaitRun() throws InterruptedIOException {
        synchronized (monitor) {
            ExtractionRun current = run;
            while (current != null && !current.done()) {
                waitOnMonitor();
            }
        }
    }

    @Override
    public void closed(Session s) {
        synchronized (monitor) {
            closed = true;
            generation++;
            if (run != null) {
                run.cancelIfQueued();
            }
            monitor.notifyAll();
            try {
                while (stagingTaken) {
                    waitOnMonitor();
                }
            } catch (InterruptedIOException e) {
                return; // the folder is hidden and removed at the next start
            }
        }
        freeStaging();
    }

    private void waitOnMonitor() throws InterruptedIOException {
        try {
            monitor.wait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for extraction");
        }
    }

    // ---- for the run and its feed (ExtractionRun, ChunkFeed) ----

    /** Waits until older runs let go of the staging folder, and takes it; false when {@code gen} is no longer current. */
    boolean takeStaging(int gen) {
        synchronized (monitor) {
            try {
                while (stagingTaken && gen == generation) {
                    waitOnMonitor();
                }
            } catch (InterruptedIOException e) {
                return false;
            }
            if (gen != generation || closed) {
                return false;
            }
            stagingTaken = true;
            return true;
        }
    }

    void releaseStaging() {
        synchronized (monitor) {
            stagingTaken = false;
            monitor.notifyAll();
        }
    }

    boolean current(int gen) {
        return gen == generation;
    }

    boolean pastTheEnd(int index) {
        return totalChunks != null && index >= totalChunks;
    }

    void reading(int index) {
        nextIndex = index + 1;
    }

    /** The run of {@code gen} gives its thread up waiting for chunk {@code index}. Under the monitor. */
    void park(int gen, int index) {
        if (gen == generation) {
            parkedAt = index;
        }
    }

    void succeeded(int gen, Outcome result) {
        synchronized (monitor) {
            if (gen == generation) {
                outcome = result;
            }
        }
    }

    void failed(int gen, Throwable t) {
        synchronized (monitor) {
            if (gen == generation && parkedAt == null) {
                failure = t;
                failedAt = nextIndex - 1;
            }
        }
    }

    void freeStaging() {
        try {
            Staging.deleteTree(stagingDir);
        } catch (IOException e) {
            // what is left is removed when the extraction starts again, or at the next start of the receiver
        }
    }

    Session session() {
        return session;
    }

    SessionStore store() {
        return store;
    }

    ExtractionPool pool() {
        return pool;
    }

    Path inbox() {
        return inbox;
    }

    UnpackOptions options() {
        return options;
    }

    ExtractHooks contentHooks() {
        return contentHooks;
    }
}
