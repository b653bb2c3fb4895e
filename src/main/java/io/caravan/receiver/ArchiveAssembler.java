package io.caravan.receiver;

import io.caravan.session.RequestRejectedException;
import io.caravan.session.Session;
import io.caravan.session.SessionListener;
import io.caravan.session.SessionStore;
import io.caravan.unpack.ExtractHooks;
import io.caravan.unpack.SafeExtractor;
import io.caravan.unpack.UnpackOptions;
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

    private final ExtractionSetup setup;
    private final Session session;
    private final ExtractionState state = new ExtractionState();

    ArchiveAssembler(Session session, SessionStore store, SessionStagingFolder staging, Path inbox, UnpackOptions options,
                     ExtractHooks contentHooks, ExtractionPool pool) {
        this.setup = new ExtractionSetup(session, store, staging, inbox, options, contentHooks, pool);
        this.session = session;
    }

    /** The session's staging folder, which holds what was extracted once {@link #finish} returned. */
    SessionStagingFolder staging() {
        return setup.staging();
    }

    /** Starts (or restarts) extraction from chunk 0 in an empty staging folder; never waits for a thread. */
    void start() {
        synchronized (state) {
            if (state.closed) {
                return;
            }
            int gen = ++state.generation;
            if (state.run != null) {
                state.run.cancelIfQueued(); // a run that started stops at its next chunk: it is no longer current
            }
            state.nextIndex = 0;
            state.result.reset();
            state.parkedAt = null;
            state.notifyAll();
            try {
                state.run = new ExtractionRun(setup, state, gen);
            } catch (RejectedExecutionException e) {
                state.run = null;
                state.result.failed(new RequestRejectedException(503, "stopping", "the receiver is stopping and"
                        + " extracts no more; finish session " + session.meta().id() + " again once it is back"), -1);
            }
        }
    }

    @Override
    public boolean wantsBody(Session s, int index) {
        return state.wantsBody(index);
    }

    @Override
    public void chunkStored(Session s, int index, boolean replaced) {
        boolean restart;
        synchronized (state) {
            // a chunk could be stored, so the storage works again: a failure it caused is retried
            restart = replaced && index < state.nextIndex || state.result.passing()
                    || state.parkedAt != null && session.chunk(state.parkedAt) != null;
            state.notifyAll();
        }
        if (restart) {
            start();
        }
    }

    /** Ends the stream after {@code total} chunks and waits for extraction to finish. */
    Outcome finish(int total) throws IOException {
        boolean again;
        synchronized (state) {
            state.totalChunks = total;
            // a chunk beyond the manifest's count (left from a longer version) was already read: read again,
            // ending at total; a parked run starts again now that every chunk is there
            again = state.nextIndex > total || state.parkedAt != null;
            state.notifyAll();
        }
        if (again) {
            start();
        }
        state.awaitRun();
        boolean passing;
        synchronized (state) {
            passing = state.result.passing();
        }
        if (passing) {
            // the storage failed earlier (a full disk): try again now, it may have room by now
            start();
            state.awaitRun();
        }
        synchronized (state) {
            return state.result.outcomeOrThrow(session.meta().id());
        }
    }

    /**
     * Lets a failed finish be retried with more chunks: the stream is open-ended again. A refusal
     * stays (extracting the same chunks again would refuse the same entry) until a chunk it read is
     * replaced; after a storage failure the next chunk stored or finish starts it again, not this.
     */
    void reopen() {
        synchronized (state) {
            state.totalChunks = null;
            if (state.result.refused() || state.result.passing()) {
                return;
            }
        }
        start();
    }

    /** Whether the extraction ended with a refusal (an entry it will not extract, a limit). */
    boolean refused() {
        synchronized (state) {
            return state.result.refused();
        }
    }

    /** The refusal that ended the extraction, as the answer to an upload of chunk {@code index} (see {@link ExtractionResult#throwIfRefused}). */
    void throwIfRefused(int index) {
        synchronized (state) {
            state.result.throwIfRefused(index);
        }
    }

    /** Throws the refusal that ended the extraction as it is, for a finish (whatever chunks are missing). */
    void throwRefusal() {
        synchronized (state) {
            state.result.throwRefusal();
        }
    }

    /** Stops the extraction (a queued run never starts, a running one stops at its next chunk) and frees the staging folder. */
    @Override
    public void closed(Session s) {
        synchronized (state) {
            state.closed = true;
            state.generation++;
            if (state.run != null) {
                state.run.cancelIfQueued();
            }
            state.notifyAll();
            try {
                state.awaitStagingFree();
            } catch (InterruptedIOException e) {
                return; // the folder is hidden and removed at the next start
            }
        }
        setup.freeStaging();
    }
}
