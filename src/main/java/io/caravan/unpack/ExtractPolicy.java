package io.caravan.unpack;

import io.caravan.pack.DecoderMemory;
import java.util.concurrent.Executor;

/**
 * What extraction accepts, and how it writes. By default symlinks must point inside the destination,
 * and there is no limit on entries or bytes; receivers set limits for untrusted senders. With
 * {@code directIo}, large files are written around the page cache where the file system allows
 * ({@link FileContentWriter}), each block on {@code writeBehind} while the next one is read (null:
 * one after the other on the extracting thread). The bounds checked while writing ({@link ExtractionBudget}): content
 * bytes ({@code maxBytes}), content bytes per compressed byte read once {@code expansionGrace}
 * bytes were unpacked ({@code maxExpansion}, 0: none), and free space left ({@code minFreeBytes}, 0: none).
 * The stream's decoder holds at most {@code decoderMemory} for its dictionary or window (by default half the heap).
 */
public record ExtractPolicy(boolean allowExternalSymlinks, long maxEntries, long maxBytes, boolean directIo,
                            long maxExpansion, long expansionGrace, long minFreeBytes, Executor writeBehind,
                            DecoderMemory decoderMemory) {

    /** Unpacked bytes a parcel may produce before its expansion ratio is judged. */
    public static final long DEFAULT_EXPANSION_GRACE = 64L << 20;

    /**
     * Threads a {@code writeBehind} executor needs at most: the process's aligned buffers let two large
     * files at a time have a block written while the next is read.
     */
    public static final int WRITE_BEHIND_THREADS = 2;

    public static final ExtractPolicy DEFAULT = new ExtractPolicy(false, Long.MAX_VALUE, Long.MAX_VALUE, true,
            0, DEFAULT_EXPANSION_GRACE, 0, null, DecoderMemory.ONE_OF_HEAP);

    public ExtractPolicy(boolean allowExternalSymlinks, long maxEntries, long maxBytes, boolean directIo) {
        this(allowExternalSymlinks, maxEntries, maxBytes, directIo, 0, DEFAULT_EXPANSION_GRACE, 0, null, DecoderMemory.ONE_OF_HEAP);
    }

    public ExtractPolicy withExternalSymlinks(boolean allow) {
        return new ExtractPolicy(allow, maxEntries, maxBytes, directIo, maxExpansion, expansionGrace, minFreeBytes, writeBehind,
                decoderMemory);
    }

    public ExtractPolicy withLimits(long entries, long bytes) {
        return new ExtractPolicy(allowExternalSymlinks, entries, bytes, directIo, maxExpansion, expansionGrace, minFreeBytes,
                writeBehind, decoderMemory);
    }

    public ExtractPolicy withDirectIo(boolean direct) {
        return new ExtractPolicy(allowExternalSymlinks, maxEntries, maxBytes, direct, maxExpansion, expansionGrace, minFreeBytes,
                writeBehind, decoderMemory);
    }

    /** At most {@code ratio} unpacked bytes per compressed byte once {@code grace} bytes were unpacked (0: no limit). */
    public ExtractPolicy withMaxExpansion(long ratio, long grace) {
        return new ExtractPolicy(allowExternalSymlinks, maxEntries, maxBytes, directIo, ratio, grace, minFreeBytes, writeBehind,
                decoderMemory);
    }

    /** Stops an extraction that would leave less than {@code bytes} free on its file system (0: no floor). */
    public ExtractPolicy withMinFreeBytes(long bytes) {
        return new ExtractPolicy(allowExternalSymlinks, maxEntries, maxBytes, directIo, maxExpansion, expansionGrace, bytes,
                writeBehind, decoderMemory);
    }

    /**
     * Writes large files' blocks on {@code executor} while the next block is read ({@link #WRITE_BEHIND_THREADS}
     * threads at most are used; a block it refuses is written on the extracting thread). The caller owns it.
     */
    public ExtractPolicy withWriteBehind(Executor executor) {
        return new ExtractPolicy(allowExternalSymlinks, maxEntries, maxBytes, directIo, maxExpansion, expansionGrace, minFreeBytes,
                executor, decoderMemory);
    }

    /** Gives the stream's decoder at most {@code memory} for its dictionary or window. */
    public ExtractPolicy withDecoderMemory(DecoderMemory memory) {
        return new ExtractPolicy(allowExternalSymlinks, maxEntries, maxBytes, directIo, maxExpansion, expansionGrace, minFreeBytes,
                writeBehind, memory);
    }
}
