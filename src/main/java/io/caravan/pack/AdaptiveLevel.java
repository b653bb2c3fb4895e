package io.caravan.pack;

/**
 * Picks zstd's level from what bounds the stream, as {@code zstd --adapt} does: while the link is
 * the bound (packed chunks wait for it, or the compressor could produce clearly more than it takes)
 * the level goes up one step; while the compressor is the bound (the link waits for packed chunks,
 * or takes all the compressor makes) it goes down one step; in between it stays. Packed chunks that
 * wait for uploads whose bodies the wire brings clearly faster than the compressor makes them wait for
 * the receiver, not the link: compressing harder would not make it answer sooner (on loopback or a
 * fast LAN it takes cores from it), so the level goes down one step to {@link #LIGHT} and no further.
 * The level always lies within {@code [min, max]}.
 */
public final class AdaptiveLevel {

    /** zstd's {@code --fast=5}: the lowest level the adaptation goes to when the compressor is the bound. */
    public static final int FASTEST = -5;
    /** The level a parcel starts at, zstd's default. */
    public static final int START = 3;
    /**
     * The level a stream bound by its receiver goes down to: zstd's fastest regular level. The fast
     * levels would save the sender CPU it does not need and give the receiver more bytes to hash and write.
     */
    public static final int LIGHT = 1;
    /** The compressor could produce this much more than the link took: the link is the bound. */
    static final double RAISE = 1.25;
    /** The compressor produced hardly more than the link took: the compressor is the bound. */
    static final double LOWER = 1.05;
    /**
     * Packed chunks waited for the link at least this share of the waits: the link is the bound. Set
     * high because uploader threads short of CPU (the compressor's doing) look like a slow link too.
     */
    static final double LINK_BOUND = 0.9;
    /** Packed chunks waited for the link at most this share of the waits: the compressor is the bound. */
    static final double PACKER_BOUND = 0.5;

    private final int min;
    private final int max;
    private int level;
    /** Link-bound stretches in a row, for {@link #follow}: it raises on the second. */
    private int linkBound;

    public AdaptiveLevel(int min, int max, int start) {
        if (min > max) {
            throw new IllegalArgumentException("the lowest level " + min + " is above the highest " + max);
        }
        this.min = min;
        this.max = max;
        this.level = clamp(start);
    }

    /** The level for the next stretch of input. */
    public int level() {
        return level;
    }

    /** Goes on from {@code at} (a level replayed from an earlier run of the same parcel). */
    public void reset(int at) {
        level = clamp(at);
    }

    /**
     * One measured stretch: {@code compressedPerSecond} is the output the compressor made per second
     * it was busy, {@code linkPerSecond} the output the link took per second of that stretch (busy
     * plus waiting on the link). Returns the level for the next stretch.
     */
    public int observe(double compressedPerSecond, double linkPerSecond) {
        if (!(compressedPerSecond > 0) || !(linkPerSecond > 0)) {
            return level;
        }
        double headroom = compressedPerSecond / linkPerSecond;
        if (headroom >= RAISE) {
            level = clamp(level + 1);
        } else if (headroom < LOWER) {
            level = clamp(level - 1);
        }
        return level;
    }

    /**
     * One stretch judged by who waited for whom at the uploads: {@code linkNanos} the packed chunks
     * waited for the link, {@code packerNanos} the link waited for packed chunks. A higher level
     * needs two link-bound stretches in a row (a burst of slow answers is not a slow link), a lower
     * one a single stretch bound by the packer. Returns the level for the next stretch; a stretch
     * with no wait changes nothing.
     */
    public int follow(long linkNanos, long packerNanos) {
        return follow(linkNanos, packerNanos, Double.NaN, Double.NaN);
    }

    /**
     * As {@link #follow(long, long)}, knowing also the rate the wire brought request bodies at while any was
     * on it ({@code wirePerSecond}, {@link LinkWaits#bodyArrived}) and the compressor's output per second it was busy
     * ({@code packedPerSecond}); NaN when not measured. A stretch whose chunks waited for the link while
     * the wire brought bodies at least {@link #RAISE} times as fast as the compressor made them is bound by the
     * receiver: the level goes down one step if it is above {@link #LIGHT}, and never up.
     */
    public int follow(long linkNanos, long packerNanos, double wirePerSecond, double packedPerSecond) {
        long waited = Math.max(0, linkNanos) + Math.max(0, packerNanos);
        if (waited == 0) {
            return level;
        }
        double linkShare = (double) Math.max(0, linkNanos) / waited;
        if (linkShare >= LINK_BOUND) {
            if (wirePerSecond >= packedPerSecond * RAISE) {
                linkBound = 0;
                if (level > LIGHT) {
                    level = clamp(level - 1);
                }
                return level;
            }
            if (++linkBound >= 2) {
                level = clamp(level + 1);
            }
            return level;
        }
        linkBound = 0;
        if (linkShare <= PACKER_BOUND) {
            level = clamp(level - 1);
        }
        return level;
    }

    private int clamp(int value) {
        return Math.max(min, Math.min(max, value));
    }
}
