package io.caravan.session;

import java.io.InterruptedIOException;
import java.util.HashSet;
import java.util.Set;

/**
 * Which chunks of one session are being written at their position in its data file right now. Only
 * an index that is neither stored nor being written may be written there, so two bodies never share a
 * region and a committed region is never written again; every other write of the index goes to a file
 * of its own. Once {@link #seal sealed} (the data file is being published) nothing is written there again.
 */
final class PositionedWrites {

    /** Indices claimed until their write is committed or failed. */
    private final Set<Integer> claimed = new HashSet<>();
    /** Claimed writes whose bytes are still being written. */
    private int writing;
    private boolean sealed;

    PositionedWrites(boolean sealed) {
        this.sealed = sealed;
    }

    /** Claims {@code index} for a write at its position; false when it must go to a file of its own. */
    synchronized boolean claim(int index, boolean stored) {
        if (sealed || stored || claimed.contains(index)) {
            return false;
        }
        claimed.add(index);
        writing++;
        return true;
    }

    /** A claimed write has written its bytes (or failed to): the file no longer changes for it. */
    synchronized void written() {
        writing--;
        notifyAll();
    }

    /** The write of {@code index} at its position was committed or failed: the index may be claimed again. */
    synchronized void release(int index) {
        claimed.remove(index);
    }

    /** No write starts at a position from now on; waits until those under way have written their bytes. */
    synchronized void seal() throws InterruptedIOException {
        sealed = true;
        while (writing > 0) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while chunk writes were ending");
            }
        }
    }

    synchronized boolean sealed() {
        return sealed;
    }
}
