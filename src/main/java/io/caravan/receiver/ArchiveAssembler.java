package io.caravan.receiver;

import io.caravan.CaravanException;
import io.caravan.StorageException;
import io.caravan.progress.ProgressListener;
import io.caravan.session.SessionStore;
import io.caravan.session.Session;
import io.caravan.session.SessionListener;
import io.caravan.session.StoredChunk;
import io.caravan.unpack.ExtractHooks;
import io.caravan.unpack.ExtractLimitException;
import io.caravan.unpack.SafeExtractor;
import io.caravan.unpack.Staging;
import io.caravan.unpack.UnpackOptions;
import io.caravan.unpack.UnsafeEntryException;
import io.caravan.unpack.WaitingSource;
import io.caravan.unpack.Unpacker;
import io.caravan.util.BulkInputStream;
import io.caravan.util.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * Extracts an archive session while its chunks arrive: a worker thread reads the contiguous prefix
 * of stored chunks (waiting for the next one), decompresses and untars into the session's staging
 * folder. A chunk replaced after it was read restarts the extraction from chunk 0 in a fresh
 * staging folder. {@link #finish} ends the stream at the manifest's chunk count and waits.
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
    private final Object monitor = new Object();
    private int generation;
    private int nextIndex;
    private Integer totalChunks;
    private boolean closed;
    private Thread worker;
    private Throwable failure;
    private Outcome outcome;
    /** The chunk the extraction was reading when it failed (chunks after it cannot change a refusal). */
    private int failedAt;

    ArchiveAssembler(Session session, SessionStore store, Path stagingDir, Path inbox, UnpackOptions options,
                     ExtractHooks contentHooks) {
        this.session = session;
        this.store = store;
        this.stagingDir = stagingDir;
        this.inbox = inbox;
        this.options = options;
        this.contentHooks = contentHooks;
    }

    Path stagingDir() {
        return stagingDir;
    }

    /** Starts (or restarts) extraction from chunk 0 in an empty staging folder. */
    void start() throws IOException {
        Thread old;
        int gen;
        synchronized (monitor) {
            gen = ++generation;
            old = worker;
            monitor.notifyAll();
        }
        join(old);
        synchronized (monitor) {
            if (gen != generation || closed) {
                return;
            }
            Staging.at(stagingDir, inbox);
            nextIndex = 0;
            failure = null;
            outcome = null;
            worker = new Thread(() -> run(gen), "caravan-assemble-" + session.meta().id().substring(0, 8));
            worker.setDaemon(true);
            worker.start();
        }
    }

    private void run(int gen) {
        List<ReportedFile> reported = new ArrayList<>();
        ExtractHooks hooks = new ExtractHooks() {
            @Override
            public boolean materialise(String sha256, long size, Path target, StoredFileCheck mayLink)
                    throws IOException {
                return contentHooks.materialise(sha256, size, target, mayLink);
            }

            @Override
            public long reportFilesFrom() {
                return contentHooks.reportFilesFrom();
            }

            @Override
            public boolean hashReportedFiles() {
                return contentHooks.hashReportedFiles();
            }

            @Override
            public void extracted(String name, String sha256, long size) {
                reported.add(new ReportedFile(name, sha256));
            }
        };
        try (ChunkStream stream = new ChunkStream(gen)) {
            SafeExtractor.Result result = new Unpacker(options, ProgressListener.NONE, hooks)
                    .extractInto(stream, stagingDir, null);
            synchronized (monitor) {
                if (gen == generation) {
                    outcome = new Outcome(result, Sha256.hex(stream.digest), reported);
                }
            }
        } catch (Throwable t) {
            synchronized (monitor) {
                if (gen == generation) {
                    failure = t;
                    failedAt = nextIndex - 1;
                }
            }
            freeStaging();
        } finally {
            synchronized (monitor) {
                monitor.notifyAll();
            }
        }
    }

    @Override
    public boolean wantsBody(Session s, int index) {
        synchronized (monitor) {
            return !closed && index >= nextIndex && index < nextIndex + READ_AHEAD;
        }
    }

    @Override
    public void chunkStored(Session s, int index, boolean replaced) {
        boolean restart;
        synchronized (monitor) {
            // a chunk could be stored, so the storage works again: a failure it caused is retried
            restart = replaced && index < nextIndex || failure instanceof StorageException;
            monitor.notifyAll();
        }
        if (restart) {
            try {
                start();
            } catch (IOException e) {
                synchronized (monitor) {
                    failure = e;
                }
            }
        }
    }

    /** Ends the stream after {@code total} chunks and waits for extraction to finish. */
    Outcome finish(int total) throws IOException {
        boolean ranPastTheEnd;
        synchronized (monitor) {
            totalChunks = total;
            // a chunk beyond the manifest's count (left from a longer version) was already read: read again, ending at total
            ranPastTheEnd = nextIndex > total;
            monitor.notifyAll();
        }
        if (ranPastTheEnd) {
            start();
        }
        awaitWorker();
        boolean passing;
        synchronized (monitor) {
            passing = failure instanceof StorageException;
        }
        if (passing) {
            // the storage failed earlier (a full disk): try again now, it may have room by now
            start();
            awaitWorker();
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
    void reopen() throws IOException {
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

    private void awaitWorker() throws InterruptedIOException {
        Thread current;
        synchronized (monitor) {
            current = worker;
        }
        join(current);
    }

    private void freeStaging() {
        try {
            Staging.deleteTree(stagingDir);
        } catch (IOException e) {
            // what is left is removed when the extraction starts again, or at the next start of the receiver
        }
    }

    @Override
    public void closed(Session s) {
        Thread current;
        synchronized (monitor) {
            closed = true;
            generation++;
            current = worker;
            monitor.notifyAll();
        }
        try {
            join(current);
            Staging.deleteTree(stagingDir);
        } catch (IOException e) {
            // best effort: the folder is hidden and removed at the next start
        }
    }

    private static void join(Thread thread) throws InterruptedIOException {
        if (thread == null) {
            return;
        }
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for extraction");
        }
    }

    /** The session's chunks in index order as one stream; waits for missing chunks, ends at the total. */
    private final class ChunkStream extends BulkInputStream implements WaitingSource {
        private final int gen;
        private boolean abandoned;
        private final MessageDigest digest = Sha256.newDigest();
        private InputStream current;
        private int index;

        ChunkStream(int gen) {
            this.gen = gen;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (true) {
                if (current == null && !openNext()) {
                    return -1;
                }
                int n = current.read(b, off, len);
                if (n > 0) {
                    digest.update(b, off, n);
                    return n;
                }
                current.close();
                current = null;
                index++;
            }
        }

        private boolean openNext() throws IOException {
            StoredChunk chunk;
            synchronized (monitor) {
                while (true) {
                    if (gen != generation) {
                        throw new InterruptedIOException("extraction restarted");
                    }
                    if (abandoned) {
                        throw new InterruptedIOException("extraction stopped");
                    }
                    if (totalChunks != null && index >= totalChunks) {
                        return false;
                    }
                    chunk = session.chunk(index);
                    if (chunk != null) {
                        nextIndex = index + 1;
                        break;
                    }
                    try {
                        monitor.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted while waiting for chunk " + index);
                    }
                }
            }
            current = store.open(session, chunk);
            return true;
        }

        @Override
        public void abandon() {
            synchronized (monitor) {
                abandoned = true;
                monitor.notifyAll();
            }
        }

        @Override
        public void close() throws IOException {
            if (current != null) {
                current.close();
            }
        }
    }
}
