package io.caravan.receiver;

import io.caravan.session.Session;
import io.caravan.unpack.ExtractionCheckpoint;
import java.io.InterruptedIOException;

/**
 * Where one session's extraction stands, guarded by this object's monitor, on which runs wait for
 * chunks and finishes for runs: the generation (a restart makes a new one; a run of an older one
 * stops at its next chunk), the next chunk to read, the chunk count once the manifest is known, the
 * current run and whether it parked, who uses the staging folder, and the {@link ExtractionResult}.
 * Methods whose Javadoc says so are called with the monitor held.
 */
final class ExtractionState {

    /**
     * How often an upload waiting for the extraction to take its chunk looks whether it has: every stage of
     * the extraction waiting for input is seen twice this far apart before it counts (a stage that has just
     * been handed a block may not have said so yet).
     */
    static final long IDLE_POLL_MILLIS = 1;
    /**
     * The least distance between two checkpoints held inside one chunk: an uncompressed stream has a restart
     * point at every entry, and taking the state at each would cost more than the tail it saves.
     */
    static final long INSIDE_SPACING = 256 * 1024;

    /** How an upload handed to the extraction is kept, once the extraction has taken its bytes ({@link #awaitConsumed}). */
    enum Keep {
        /** A written checkpoint lies past its end: nothing of it is kept. */
        COVERED,
        /** A checkpoint lies inside it ({@link DirectChunk#inside}): its tail after that point is kept. */
        TAIL,
        /** No checkpoint covers any of it (or the extraction stopped): it is stored whole. */
        STORED
    }

    /** How many chunks past the one being read the store keeps in memory for this extraction. */
    private static final int READ_AHEAD = 3;

    int generation;
    int nextIndex;
    Integer totalChunks;
    boolean closed;
    ExtractionRun run;
    /** The chunk the current run gave its thread up waiting for; null when it did not. */
    Integer parkedAt;
    /**
     * The checkpoint the next run resumes from, in the staging folder as a crash left it; null: the
     * run starts at chunk 0 in an empty staging folder. Only the first run after a restart resumes.
     */
    ExtractionCheckpoint resumeFrom;
    /** Why the current generation reads from chunk 0 when it does, for the messages that name what it drops. */
    String fromChunkZero;
    /** Chunks handed to the extraction from their request bodies, not stored, by index (see {@link DirectChunk}). */
    final java.util.Map<Integer, DirectChunk> direct = new java.util.HashMap<>();
    /**
     * Where the current generation's last checkpoint written to disk lies in the stream (the one it resumed from,
     * at first); -1: none. Only grows: a checkpoint is written only past it ({@link #write}).
     */
    long checkpointed = -1;
    /** Whether every stage of the current run's extraction waits for input; null until the run says how to ask. */
    private java.util.function.BooleanSupplier stagesIdle;
    /** Whether the current generation's run records checkpoints: null until it says. */
    Boolean checkpointing;
    /**
     * Since when ({@link System#nanoTime}) the current run's feed waits for a chunk that is neither stored nor
     * handed to it; 0 while it reads.
     */
    long starvedSince;
    /** Whether a run is using the staging folder (an older one stopping, or the current one). */
    private boolean stagingTaken;
    final ExtractionResult result = new ExtractionResult();

    synchronized boolean wantsBody(int index) {
        return !closed && parkedAt == null && index >= nextIndex && index < nextIndex + READ_AHEAD;
    }

    /** A new generation starts, from {@code resumeFrom} (or chunk 0, {@code why}). With the monitor held. */
    int nextGeneration(ExtractionCheckpoint resumeFrom, String why) {
        this.resumeFrom = resumeFrom;
        this.fromChunkZero = why;
        checkpointed = -1;
        checkpointing = null;
        starvedSince = 0;
        stagesIdle = null;
        return ++generation;
    }

    /** Whether the run of {@code gen} records checkpoints; tells the uploads that wait. */
    synchronized void checkpointing(int gen, boolean records, long from) {
        if (gen == generation) {
            checkpointing = records;
            checkpointed = from;
            notifyAll();
        }
    }

    /** How to ask whether every stage of the run of {@code gen} waits for input (see {@link #awaitConsumed}). */
    synchronized void stagesIdle(int gen, java.util.function.BooleanSupplier idle) {
        if (gen == generation) {
            stagesIdle = idle;
        }
    }

    /**
     * Writes {@code checkpoint} of the run of {@code gen} as {@code file} when it lies past the last one written
     * (true), and tells the uploads that wait. With the monitor held, or taking it.
     */
    synchronized boolean write(int gen, ExtractionCheckpoint checkpoint, java.nio.file.Path file)
            throws java.io.IOException {
        if (gen != generation || checkpoint.compressed() <= checkpointed) {
            return false;
        }
        checkpoint.writeTo(file);
        checkpointed = checkpoint.compressed();
        notifyAll();
        return true;
    }

    /**
     * The chunk handed from its body to the run of {@code gen}, opened by its feed and not settled, that holds byte
     * {@code compressed} of the stream past its first; null when none does. With the monitor held.
     */
    DirectChunk holding(int gen, long compressed) {
        for (DirectChunk chunk : direct.values()) {
            if (chunk.gen == gen && chunk.opened && chunk.start < compressed && compressed < chunk.end) {
                return chunk;
            }
        }
        return null;
    }

    /**
     * Whether chunk {@code index} of {@code session} may go to the extraction straight from its body: the
     * extraction runs (or is queued), does not park and has not ended or said it records no checkpoints,
     * and the chunk is the next one it lacks (every chunk from the one it reads to the one before is
     * stored or handed to it already). With the monitor held.
     */
    boolean acceptsDirect(int index, Session session) {
        if (closed || parkedAt != null || Boolean.FALSE.equals(checkpointing) || run == null || run.done()
                || totalChunks != null || direct.containsKey(index)) {
            return false;
        }
        int next = Math.max(0, nextIndex - 1);
        while (next < index && (session.chunk(next) != null || direct.containsKey(next))) {
            next++;
        }
        return next == index && session.chunk(index) == null;
    }

    /**
     * Waits, at most {@code millis}, until the extraction has taken what it can of {@code chunk}, and says how
     * the chunk is kept: {@link Keep#COVERED} once a written checkpoint lies past its end; {@link Keep#TAIL} once
     * the feed has read it whole and every stage of the extraction waits for input (nothing of the chunk is
     * left to reach: the last checkpoint inside it is {@link DirectChunk#inside}); at the bound the same with
     * whatever checkpoint it reached so far; {@link Keep#STORED} when no checkpoint lies inside it or the
     * extraction can no longer take it (a new generation, a parked or ended run, no checkpoints). It never
     * waits for a chunk the sender has not sent. Either way, once the feed has let go of its buffers, the
     * chunk is settled: no checkpoint is held in it any more. With the monitor held.
     */
    Keep awaitConsumed(DirectChunk chunk, long millis) throws InterruptedIOException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        boolean idleBefore = false;
        boolean live;
        while (true) {
            live = live(chunk);
            if (!live || chunk.end >= 0 && checkpointed >= chunk.end) {
                break;
            }
            // the feed waits for a chunk after this one, and every stage behind it waits for input
            boolean idle = chunk.done && starvedSince != 0 && stagesIdle != null && stagesIdle.getAsBoolean();
            if (idle && idleBefore) {
                break;
            }
            idleBefore = idle;
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                wait(Math.max(1, Math.min(left / 1_000_000, IDLE_POLL_MILLIS)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (chunk.opened) {
            while (!chunk.done) {
                await(); // the feed reads it whole or stops: one chunk from memory
            }
        }
        chunk.settled = true;
        live = live(chunk);
        if (live && chunk.end >= 0 && checkpointed >= chunk.end) {
            return Keep.COVERED;
        }
        return live && chunk.inside != null ? Keep.TAIL : Keep.STORED;
    }

    /** Whether the extraction {@code chunk} was handed to still runs and records checkpoints. With the monitor held. */
    boolean live(DirectChunk chunk) {
        return chunk.gen == generation && !closed && parkedAt == null && !Boolean.FALSE.equals(checkpointing)
                && run != null && !run.done();
    }

    /** The upload of {@code chunk} is answered: it is handed no more. With the monitor held. */
    void settled(DirectChunk chunk) {
        direct.remove(chunk.index, chunk);
        notifyAll();
    }

    /** Whether {@code gen} is the current generation. With the monitor held. */
    boolean current(int gen) {
        return gen == generation;
    }

    /** Whether chunk {@code index} is past the manifest's count. With the monitor held. */
    boolean pastTheEnd(int index) {
        return totalChunks != null && index >= totalChunks;
    }

    /** The current run reads chunk {@code index} now. With the monitor held. */
    void reading(int index) {
        nextIndex = index + 1;
    }

    /** The run of {@code gen} gives its thread up waiting for chunk {@code index}. With the monitor held. */
    void park(int gen, int index) {
        if (gen == generation) {
            parkedAt = index;
        }
    }

    synchronized void succeeded(int gen, ArchiveAssembler.Outcome outcome) {
        if (gen == generation) {
            result.succeeded(outcome);
        }
    }

    /** The run of {@code gen} failed (a parked run did not: it gave its thread up). */
    synchronized void failed(int gen, Throwable t) {
        if (gen == generation && parkedAt == null) {
            result.failed(t, nextIndex - 1);
        }
    }

    /** Waits until older runs let go of the staging folder, and takes it; false when {@code gen} is no longer current. */
    synchronized boolean takeStaging(int gen) {
        try {
            while (stagingTaken && gen == generation) {
                await();
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

    synchronized void releaseStaging() {
        stagingTaken = false;
        notifyAll();
    }

    /** Waits until no run uses the staging folder. With the monitor held. */
    void awaitStagingFree() throws InterruptedIOException {
        while (stagingTaken) {
            await();
        }
    }

    /** Waits until the run current now has ended (it may be superseded meanwhile). */
    synchronized void awaitRun() throws InterruptedIOException {
        ExtractionRun current = run;
        while (current != null && !current.done()) {
            await();
        }
    }

    /** Waits for a change. With the monitor held. */
    void await() throws InterruptedIOException {
        try {
            wait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for extraction");
        }
    }
}
