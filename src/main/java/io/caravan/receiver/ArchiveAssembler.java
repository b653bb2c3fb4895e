package io.caravan.receiver;

import io.caravan.session.ChunkBody;
import io.caravan.session.ChunkDigestMismatchException;
import io.caravan.session.ChunkWrite;
import io.caravan.session.RequestRejectedException;
import io.caravan.session.Session;
import io.caravan.session.SessionListener;
import io.caravan.session.SessionStore;
import io.caravan.session.StoredChunk;
import io.caravan.unpack.ExtractHooks;
import io.caravan.unpack.ExtractionCheckpoint;
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
 * A session whose codec has restart points ({@link io.caravan.unpack.Resumption}) records checkpoints
 * of its extraction beside its staging folder; after a crash its first run resumes from the last one
 * ({@link #startOrResume}) instead of extracting every chunk again.
 *
 * <p>Each byte is written once ({@link #direct}): with the disk store and durability {@code publish},
 * the next whole chunk the extraction lacks is hashed and fed to it straight from the request body.
 * Its upload waits, never longer than {@link #DIRECT_WAIT_MILLIS}, until the extraction has taken
 * what it can of the chunk's own bytes (the feed has read it and every stage waits for input), never
 * for a chunk the sender has not sent. Then it is kept as the last checkpoint inside it allows:
 * <ul>
 * <li>a checkpoint written past its end: listed as covered ({@code X} in {@code chunks.log}),
 *     nothing of it written;</li>
 * <li>a checkpoint at byte {@code c} inside it (the last restart point the extraction reached
 *     there, held in memory until now): its tail after {@code c}, at most about one compressed frame,
 *     is written as a file of its own, then the checkpoint, then the line {@code T <index> <sha256>
 *     <size> <c>} that lists it;</li>
 * <li>none (inside one large file of the tar, or the extraction stopped): stored whole, as any
 *     chunk.</li>
 * </ul>
 * A checkpoint on disk therefore never names bytes kept nowhere: after a kill -9 the last one
 * written lies past every covered chunk's first {@code c} bytes, an extraction resumed there reads
 * the tails and stored chunks after it, and a chunk it lies in that was not yet listed is sent again
 * by the sender ({@code /status} lists exactly what is kept) and skipped into.
 */
final class ArchiveAssembler implements SessionListener {

    /** Why a run starts from chunk 0 again after the storage failed (a full disk). */
    private static final String STORAGE_AGAIN = "the storage failed earlier and is tried again";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ArchiveAssembler.class);

    /** What a finished extraction produced; {@code reportedFiles} are the files the hooks asked for. */
    record Outcome(SafeExtractor.Result result, String streamSha256, List<ReportedFile> reportedFiles) {
    }

    /** A file named as in the archive, with its SHA-256 if the hooks had it hashed (else null). */
    record ReportedFile(String name, String sha256) {
    }

    private final ExtractionSetup setup;
    private final Session session;
    private final ExtractionState state;
    /**
     * The most an upload handed to the extraction waits for it to take the chunk's bytes before the chunk is
     * kept as the checkpoints reached so far allow: an extraction slowed by its disk still answers in time.
     */
    static final long DIRECT_WAIT_MILLIS = 3_000;

    ArchiveAssembler(Session session, SessionStore store, SessionStagingFolder staging, Path inbox, UnpackOptions options,
                     ExtractHooks contentHooks, ExtractionPool pool) {
        this.setup = new ExtractionSetup(session, store, staging, inbox, options, contentHooks, pool);
        this.session = session;
        this.state = new ExtractionState();
    }

    /** The session's staging folder, which holds what was extracted once {@link #finish} returned. */
    SessionStagingFolder staging() {
        return setup.staging();
    }

    /**
     * Called once the extraction is finished and before its staging folder is published (moved into the inbox,
     * merged there, or applied to a mirror): drops the extraction's checkpoint, durably. A crash in the middle of
     * the publish then makes the run after the restart extract from chunk 0 into a fresh folder, whose publish
     * completes the one cut short, instead of resuming at the end of a folder already half moved out (which
     * answered a finish with "damaged stream" for whole chunks and left a merge half done).
     */
    void publishing(io.caravan.session.Syncer syncer) throws IOException {
        setup.dropCheckpoint();
        syncer.folder(setup.checkpointFile().getParent());
    }

    /**
     * Starts the extraction of a session found open when the receiver started, or of one whose run
     * parked: from the checkpoint a crash or the parked run left beside its staging folder (with that
     * folder as it was left), when there is one and the session's codec has restart points; else from
     * chunk 0.
     */
    void startOrResume() {
        ExtractionCheckpoint checkpoint = null;
        if (setup.resumableCodec() != null) {
            try {
                checkpoint = setup.staging().exists() ? ExtractionCheckpoint.readFrom(setup.checkpointFile()) : null;
            } catch (IOException | RuntimeException e) {
                LOG.warn("session {}: its extraction checkpoint cannot be read ({}); it extracts from chunk 0 again",
                        session.meta().id(), e.toString());
            }
        }
        start(checkpoint, "no checkpoint of it was left to resume from");
    }

    /**
     * Starts (or restarts) extraction from chunk 0 in an empty staging folder; never waits for a thread.
     * {@code why} ("chunk 3, which it had read, was replaced") is given in the messages about what that drops.
     */
    void start(String why) {
        start(null, why);
    }

    private void start(ExtractionCheckpoint resumeFrom, String why) {
        synchronized (state) {
            if (state.closed) {
                return;
            }
            int gen = state.nextGeneration(resumeFrom, why);
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

    /**
     * Hands chunk {@code index} to the extraction straight from its request body instead of storing it, when
     * the store covers chunks ({@link SessionStore#coversChunks}), the chunk is whole ({@code fullChunk} bytes:
     * a shorter one is the last) and the next one the extraction lacks ({@link ExtractionState#acceptsDirect}).
     * The caller's thread (never Netty's event loop: the routes run on Camel's worker threads) waits until the
     * extraction has taken what it can of the chunk ({@link ExtractionState#awaitConsumed}), then keeps it as
     * the class describes and answers it as created. Null when it was not taken, or no checkpoint lies inside
     * it: the caller stores the body as any chunk (its extraction has read it already and does not read it
     * again).
     *
     * @throws io.caravan.session.ChunkDigestMismatchException when the body does not hash to {@code expectedSha256}
     */
    ChunkWrite direct(int index, ChunkBody body, String expectedSha256, long fullChunk) throws IOException {
        long size = body.length();
        if (!setup.store().coversChunks() || size != fullChunk || setup.resumableCodec() == null) {
            return null;
        }
        synchronized (state) {
            if (!state.acceptsDirect(index, session)) {
                return null;
            }
        }
        String sha = body.sha256();
        if (expectedSha256 != null && !expectedSha256.equalsIgnoreCase(sha)) {
            throw new ChunkDigestMismatchException(session.meta().id(), index, expectedSha256, sha);
        }
        DirectChunk chunk;
        ExtractionState.Keep keep;
        synchronized (state) {
            if (!state.acceptsDirect(index, session)) {
                return null;
            }
            chunk = new DirectChunk(index, sha, size, state.generation, body.buffers());
            state.direct.put(index, chunk);
            state.notifyAll();
            keep = state.awaitConsumed(chunk, DIRECT_WAIT_MILLIS);
            if (keep != ExtractionState.Keep.TAIL) {
                try {
                    // listed while the generation that covers it is current: a run from chunk 0 uncovers it after this
                    boolean covered = keep == ExtractionState.Keep.COVERED && setup.store().cover(session, index, sha, size, size);
                    return covered ? new ChunkWrite(session.chunk(index), ChunkWrite.Outcome.CREATED) : null;
                } finally {
                    state.settled(chunk);
                }
            }
        }
        try {
            return keepTail(chunk);
        } finally {
            synchronized (state) {
                state.settled(chunk);
            }
        }
    }

    /**
     * Keeps {@code chunk} covered up to the checkpoint inside it: its tail first, then the checkpoint, then the
     * line that lists it; null (the caller stores it whole) when the extraction it was handed to stopped meanwhile.
     */
    private ChunkWrite keepTail(DirectChunk chunk) throws IOException {
        ExtractionCheckpoint inside = chunk.inside; // settled: no longer changes
        long coveredTo = inside.compressed() - chunk.start;
        boolean tailListed = false;
        try {
            setup.store().writeTail(session, chunk.index, chunk.sha256, chunk.from(coveredTo));
            synchronized (state) {
                if (!state.live(chunk)) {
                    return null;
                }
                state.write(chunk.gen, inside, setup.checkpointFile()); // unless one past it is written already
                // a checkpoint past its end written meanwhile covers it whole: its tail is not needed
                long to = state.checkpointed >= chunk.end ? chunk.size : coveredTo;
                if (!setup.store().cover(session, chunk.index, chunk.sha256, chunk.size, to)) {
                    return null;
                }
                tailListed = to < chunk.size;
            }
        } catch (IOException e) {
            // stored whole instead, which answers what the storage says
            LOG.debug("session {}: chunk {} is stored whole: its tail could not be kept ({})", session.meta().id(),
                    chunk.index, e.toString());
            return null;
        } finally {
            if (!tailListed) {
                setup.store().dropTail(session, chunk.index, chunk.sha256); // else it goes at the next start
            }
        }
        return new ChunkWrite(session.chunk(chunk.index), ChunkWrite.Outcome.CREATED);
    }

    @Override
    public boolean wantsBody(Session s, int index) {
        return state.wantsBody(index);
    }

    @Override
    public void chunkStored(Session s, int index, boolean replaced) {
        String restart;
        boolean unpark;
        synchronized (state) {
            // a chunk could be stored, so the storage works again: a failure it caused is retried
            restart = replaced && index < state.nextIndex ? "chunk " + index + ", which it had read, was replaced"
                    : state.result.passing() ? STORAGE_AGAIN : null;
            unpark = restart == null && state.parkedAt != null && session.chunk(state.parkedAt) != null;
            state.notifyAll();
        }
        if (restart != null) {
            start(restart);
        } else if (unpark) {
            startOrResume(); // a parked run kept its staging folder and checkpoint: the next one goes on from there
        }
    }

    /** Ends the stream after {@code total} chunks and waits for extraction to finish. */
    Outcome finish(int total) throws IOException {
        boolean again;
        boolean parked;
        synchronized (state) {
            state.totalChunks = total;
            // a chunk beyond the manifest's count (left from a longer version) was already read: read again,
            // ending at total; a parked run starts again now that every chunk is there
            again = state.nextIndex > total;
            parked = !again && state.parkedAt != null;
            state.notifyAll();
        }
        if (again) {
            start("it had read a chunk past the manifest's count, left from a longer version");
        } else if (parked) {
            startOrResume();
        }
        state.awaitRun();
        boolean passing;
        synchronized (state) {
            passing = state.result.passing();
        }
        if (passing) {
            // the storage failed earlier (a full disk): try again now, it may have room by now
            start(STORAGE_AGAIN);
            state.awaitRun();
        }
        Outcome outcome;
        synchronized (state) {
            outcome = state.result.outcomeOrThrow(session.meta().id());
        }
        long covered = session.chunks().values().stream().filter(StoredChunk::covered).count();
        if (session.meta().archive()) {
            LOG.info("session {}: {} of {} chunks were extracted from their request bodies and never written as chunk files",
                    session.meta().id(), covered, total);
        }
        return outcome;
    }

    /**
     * Lets a failed finish be retried with more chunks: the stream is open-ended again (but for a finish that
     * dropped covered chunks, retried with them for the same count). A refusal
     * stays (extracting the same chunks again would refuse the same entry) until a chunk it read is
     * replaced; after a storage failure the next chunk stored or finish starts it again, not this.
     */
    void reopen() {
        synchronized (state) {
            if (!state.result.droppedCovered()) {
                state.totalChunks = null;
            } // else the chunks it dropped come again for the same manifest: the run ends at its count, past which it read
            if (state.result.refused() || state.result.passing()) {
                return;
            }
        }
        start("a finish that failed is tried again");
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
