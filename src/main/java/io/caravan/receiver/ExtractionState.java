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

    /** How many chunks past the one being read the store keeps in memory for this extraction. */
    private static final int READ_AHEAD = 3;

    int generation;
    int nextIndex;
    Integer totalChunks;
    boolean closed;
    ExtractionRun run;
    /** The chunk the current run gave its thread up waiting for; null when it did not. */
    Integer parkedAt;
    /** Whether a run is using the staging folder (an older one stopping, or the current one). */
    private boolean stagingTaken;
    final ExtractionResult result = new ExtractionResult();

    synchronized boolean wantsBody(int index) {
        return !closed && parkedAt == null && index >= nextIndex && index < nextIndex + READ_AHEAD;
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
