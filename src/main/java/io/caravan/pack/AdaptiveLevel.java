package io.caravan.pack;

/**
 * Picks zstd's level from what bounds the stream, as {@code zstd --adapt} does: while the link is
 * the bound (packed chunks wait for it, or the compressor could produce clearly more than it takes)
 * the level goes up one step; while the compressor is the bound (the link waits for packed chunks,
 * or takes all the compressor makes) it goes down one step; in between it stays. Packed chunks that
 * wait for uploads while the wire is idle most of the time, or brings the bodies much faster than the
 * compressor makes them (the bodies pass quickly, the answers come late), wait for the receiver, not the
 * link: compressing harder would not make it answer sooner (on loopback or a fast LAN it takes cores from
 * it), so the level goes down one step to {@link #LIGHT} and no further. Nor does it go up while the
 * machine's CPU has none to spare: the CPU is the bound already. The level always lies within
 * {@code [min, max]}.
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
    /**
     * The wire brought bodies for less than this share of a stretch whose chunks waited for the link: the
     * uploads waited for the receiver's answers, not for the wire.
     */
    static final double WIRE_BOUND = 0.5;
    /** The machine's CPU was busy at least this share of a stretch: the CPU is the bound, not the link. */
    static final double CPU_BOUND = 0.9;
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

    /** As {@link #follow(long, long, double, double, double)}, the wire's rate against the compressor's not known. */
    public int follow(long linkNanos, long packerNanos, double wireBusy, double cpuBusy) {
        return follow(linkNanos, packerNanos, wireBusy, Double.NaN, cpuBusy);
    }

    /**
     * As {@link #follow(long, long)}, knowing also how the wire did while chunks waited for the link (each NaN when
     * not measured): {@code wireBusy}, the share of the stretch it was busy bringing request bodies (0 to 1,
     * {@link LinkWaits#bodyArrived}), and {@code wireOverPacked}, the rate it brought them at over the compressor's
     * output per second it was busy. A link-bound stretch whose wire was busy less than {@link #WIRE_BOUND} of it, or
     * brought bodies at least {@link #RAISE} times as fast as the compressor makes them, is bound by the receiver
     * (the uploads wait for its answers, not for their bytes to pass): the level goes down one step if it is above
     * {@link #LIGHT}, and never up. {@code cpuBusy} is the share of the machine's CPU that was busy (0 to 1): a
     * link-bound stretch while it was {@link #CPU_BOUND} or more raises nothing, since the CPU is the bound already.
     */
    public int follow(long linkNanos, long packerNanos, double wireBusy, double wireOverPacked, double cpuBusy) {
        long waited = Math.max(0, linkNanos) + Math.max(0, packerNanos);
        if (waited == 0) {
            return level;
        }
        double linkShare = (double) Math.max(0, linkNanos) / waited;
        if (linkShare >= LINK_BOUND) {
            if (wireBusy < WIRE_BOUND || wireOverPacked >= RAISE) {
                linkBound = 0;
                if (level > LIGHT) {
                    level = clamp(level - 1);
                }
                return level;
            }
            if (cpuBusy >= CPU_BOUND) {
                linkBound = 0; // no CPU to spare for a higher level
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
