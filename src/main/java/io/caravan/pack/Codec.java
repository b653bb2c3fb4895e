package io.caravan.pack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A stream compressor/decompressor pair identified by a name and a magic signature.
 * {@link #compressor} output must be readable by the matching command line tool, and the same
 * input and level must always give the same bytes.
 */
public interface Codec {

    /** Short lowercase name as used on the command line and in manifests ({@code zstd}). */
    String name();

    /**
     * The format of the stream written, as a receiver and a manifest name it: the {@link #name()},
     * except for a policy over another codec ({@code auto} writes {@code zstd}).
     */
    default String streamName() {
        return name();
    }

    /** Level used when the caller gives none. */
    int defaultLevel();

    /** Inclusive range of accepted levels. */
    int minLevel();

    int maxLevel();

    /**
     * The heap the compressor of {@code level} needs, when it is a large part of a heap (0: a few MiB at most,
     * or outside the heap). {@link Codecs#level} refuses a level whose compressor would not fit.
     */
    default long compressorHeap(int level) {
        return 0;
    }

    /** Wraps {@code out}; closing the result finishes the codec trailer and closes {@code out}. */
    OutputStream compressor(OutputStream out, int level) throws IOException;

    /**
     * Wraps {@code in}, reading concatenated frames/members until the end of {@code in}, its decoder holding at
     * most {@code memory} for what the stream's header asks (a dictionary, a window): a stream asking for more
     * is refused with an {@link io.caravan.unpack.DecoderLimitException} before that memory is taken.
     */
    InputStream decompressor(InputStream in, DecoderMemory memory) throws IOException;

    /** Wraps {@code in} as {@link #decompressor(InputStream, DecoderMemory)} does, within half the heap. */
    default InputStream decompressor(InputStream in) throws IOException {
        return decompressor(in, DecoderMemory.ONE_OF_HEAP);
    }

    /** Whether the first bytes of a stream carry this codec's signature. */
    boolean matches(byte[] signature, int length);

    /** Conventional archive suffix for a tar stream with this codec ({@code .tar.zst}). */
    String tarSuffix();

    static boolean startsWith(byte[] signature, int length, int... magic) {
        if (length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((signature[i] & 0xff) != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
