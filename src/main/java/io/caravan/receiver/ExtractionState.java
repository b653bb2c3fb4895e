package io.caravan.receiver;

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
     * How long the extraction may wait for a chunk it was not given before the uploads waiting for a checkpoint
     * are stored as chunk files: a chunk in transit arrives sooner on a fast link.
     */
    static final long STARVED_MILLIS = 200;

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
    io.caravan.unpack.ExtractionCheckpoint resumeFrom;
    /** Chunks handed to the extraction from their request bodies, not stored, by index (see {@link DirectChunk}). */
    final java.util.Map<Integer, DirectChunk> direct = new java.util.HashMap<>();
    /** Where the current generation's last checkpoint lies in the stream (the one it resumed from, at first); -1: none. */
    long checkpointed = -1;
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

    /** A new generation starts, from {@code resumeFrom} (or chunk 0). With the monitor held. */
    int nextGeneration(io.caravan.unpack.ExtractionCheckpoint resumeFrom) {
        this.resumeFrom = resumeFrom;
        checkpointed = -1;
        checkpointing = null;
        starvedSince = 0;
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

    /** The run of {@code gen} recorded a checkpoint at {@code compressed} of the stream; tells the uploads that wait. */
    synchronized void checkpointed(int gen, long compressed) {
        if (gen == generation) {
            checkpointed = Math.max(checkpointed, compressed);
            notifyAll();
        }
    }

    /**
     * Whether chunk {@code index} of {@code session} may go to the extraction straight from its body: the
     * extraction runs (or is queued), does not park and has not ended or said it records no checkpoints,
     * and the chunk is the next one it lacks (every chunk from the one it reads to the one before is
     * stored or handed to it already). With the monitor held.
     */
    boolean acceptsDirect(int index, io.caravan.session.Session session) {
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
     * Waits, at most {@code millis}, until a checkpoint of the extraction lies past the end of {@code chunk}
     * (true: it is covered), or until that can no longer come (a new generation, a parked or ended run, no
     * checkpoints; false); either way, once the feed has let go of its buffers, it is handed no more. With
     * the monitor held.
     */
    boolean awaitCovered(DirectChunk chunk, long millis) throws InterruptedIOException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        boolean covered = false;
        while (true) {
            boolean live = chunk.gen == generation && !closed && parkedAt == null
                    && !Boolean.FALSE.equals(checkpointing) && run != null && !run.done();
            covered = live && chunk.end >= 0 && checkpointed >= chunk.end;
            long now = System.nanoTime();
            // the extraction read all it was given and waits for more, which a sender whose uploads all wait here
            // holds back: no checkpoint comes, so the chunk is stored now rather than at the deadline
            boolean starved = chunk.done && starvedSince != 0 && now - starvedSince >= STARVED_MILLIS * 1_000_000;
            long left = deadline - now;
            if (covered || !live || starved || left <= 0) {
                break;
            }
            try {
                wait(Math.max(1, Math.min(left / 1_000_000, STARVED_MILLIS)));
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
        direct.remove(chunk.index, chunk);
        return covered;
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
