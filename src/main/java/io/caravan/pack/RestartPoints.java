package io.caravan.pack;

import java.io.IOException;

/**
 * A compressed stream told where the tar stream it compresses has entry boundaries, so that it can
 * end a frame at some of them: a reader of the stream may then start decoding at such a frame, with
 * nothing of the stream before it, and meet an entry header first (a restart point). The writer of
 * the tar stream calls {@link #entryEnds} with the offset, in the bytes it writes, right after an
 * entry's last byte (its padding included), before it writes anything more; the bytes may reach the
 * compressor later, through buffers. Which boundaries become frame ends depends on their offsets
 * alone ({@link FrameCuts}), so that the same input always gives the same stream.
 */
public interface RestartPoints {

    /** Tells nothing to anyone: for a codec that cannot start a frame anew. */
    RestartPoints NONE = offset -> { };

    /** The tar stream has an entry boundary at {@code offset}: the next entry's headers start there. */
    void entryEnds(long offset) throws IOException;
}
