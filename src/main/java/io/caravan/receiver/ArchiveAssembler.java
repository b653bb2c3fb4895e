package io.caravan.receiver;

import io.caravan.CaravanException;
import io.caravan.progress.ProgressListener;
import io.caravan.session.DiskSessionStore;
import io.caravan.session.Session;
import io.caravan.session.SessionListener;
import io.caravan.session.StoredChunk;
import io.caravan.unpack.ExtractHooks;
import io.caravan.unpack.SafeExtractor;
import io.caravan.unpack.Staging;
import io.caravan.unpack.UnpackOptions;
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
    private final DiskSessionStore store;
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

    ArchiveAssembler(Session session, DiskSessionStore store, Path stagingDir, Path inbox, UnpackOptions options,
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
                }
            }
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
            restart = replaced && index < nextIndex;
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
        Thread current;
        synchronized (monitor) {
            current = worker;
        }
        join(current);
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

    /** Lets a failed finish be retried with more chunks: the stream is open-ended again. */
    void reopen() throws IOException {
        synchronized (monitor) {
            totalChunks = null;
        }
        start();
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
    private final class ChunkStream extends BulkInputStream {
        private final int gen;
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
        public void close() throws IOException {
            if (current != null) {
                current.close();
            }
        }
    }
}
