package io.caravan.pack;

import java.util.ArrayDeque;

/**
 * Which entry boundaries a compressor ends a frame at: the first one at least {@link #SPACING} input
 * bytes after the last frame end chosen so, and so on. The choice depends on the boundaries' offsets
 * alone, never on when they are told or how the bytes arrive, so packing the same input again gives
 * the same frames (a resumed upload regenerates the chunks a receiver holds). Ending a frame costs a
 * little compression (the next frame starts with an empty window): about {@code window / SPACING} of
 * what the data would have gained; 2 MiB keeps it near 1 % at zstd's usual levels. The chosen offsets
 * wait here until the input reaches them: as many as the buffers before the compressor hold.
 */
final class FrameCuts implements RestartPoints {

    /** Input bytes at least between two frame ends at entry boundaries. */
    static final long SPACING = 2L << 20;

    private final long spacing;
    private final ArrayDeque<Long> pending = new ArrayDeque<>();
    private long lastChosen;

    FrameCuts() {
        this(SPACING);
    }

    FrameCuts(long spacing) {
        this.spacing = spacing;
    }

    @Override
    public synchronized void entryEnds(long offset) {
        if (offset - lastChosen >= spacing) {
            pending.addLast(offset);
            lastChosen = offset;
        }
    }

    /** The next chosen offset the input has not passed yet, or -1 when there is none. */
    synchronized long next() {
        Long next = pending.peekFirst();
        return next == null ? -1 : next;
    }

    /** The input reached {@link #next()}: its frame has ended. */
    synchronized void reached() {
        pending.pollFirst();
    }
}
