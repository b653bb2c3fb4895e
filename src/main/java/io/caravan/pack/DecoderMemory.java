package io.caravan.pack;

import io.caravan.unpack.DecoderLimitException;

/**
 * The most memory one decoder may hold for what its stream's header asks: an xz dictionary, a zstd
 * window. A stream asking for more is refused with a {@link DecoderLimitException} before the memory is
 * taken. The other codecs need a few MiB whatever the stream says (lz4's largest block, 4 MiB, held
 * compressed and decoded; bzip2's 900 kB block; gzip's 32 KiB window), below {@link #FLOOR}.
 *
 * @param bytes   the limit
 * @param setting the setting that raises it, named in a refusal; null: the heap does (the limit is a share of it)
 */
public record DecoderMemory(long bytes, String setting) {

    /**
     * The least a decoder is given: what Caravan's own streams need at their default levels and zstd's up to
     * level 19 (an 8 MiB xz dictionary or zstd window, with the decoder's buffers), and lz4's 4 MiB blocks.
     */
    public static final long FLOOR = 9L << 20;

    /** Half the heap for one decoder: what a command that decodes one stream at a time gives it. */
    public static final DecoderMemory ONE_OF_HEAP = ofHeap(1);

    public DecoderMemory {
        if (bytes < FLOOR) {
            throw new IllegalArgumentException("a decoder's memory must be at least " + mib(FLOOR) + ", was " + bytes + " bytes");
        }
    }

    /** Half the heap shared by {@code decoders} decoding at once, in whole MiB, at least {@link #FLOOR}. */
    public static DecoderMemory ofHeap(int decoders) {
        long share = Runtime.getRuntime().maxMemory() / 2 / Math.max(1, decoders);
        return new DecoderMemory(Math.max(FLOOR, share >> 20 << 20), null);
    }

    /** The limit as an xz memory limit, in KiB. */
    int xzKib() {
        return (int) Math.min(Integer.MAX_VALUE, bytes >> 10);
    }

    /** The largest zstd window log (base 2) within the limit. */
    int zstdWindowLog() {
        return Math.min(31, 63 - Long.numberOfLeadingZeros(bytes));
    }

    /**
     * The refusal of a {@code codec} stream that asks for {@code asked} ("a dictionary of 192 MiB"), telling
     * the sender {@code smaller} (how to compress within the limit) and how the limit is raised.
     */
    DecoderLimitException refused(String codec, String asked, long needed, String smaller) {
        String raise = setting != null ? "raise " + setting
                : "give Caravan a larger heap (JAVA_OPTS=-Xmx" + (((Math.max(needed, bytes) * 2) >> 20) + 32) + "m)";
        return new DecoderLimitException("the " + codec + " stream asks for " + asked + ", above the limit of " + mib(bytes)
                + " one decoder may hold here: " + smaller + ", or " + raise);
    }

    /** {@code bytes} in whole MiB (rounded down), as "192 MiB". */
    static String mib(long bytes) {
        return (bytes >> 20) + " MiB";
    }
}
