package io.caravan.pack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * {@code auto}: a zstd stream whose level follows the link ({@link AdaptiveZstdOutputStream}, fed by
 * the shipping's {@link LinkWaits}), from
 * zstd's fast levels up to the given level, with segments that barely compress stored. The stream is
 * plain zstd: receivers and manifests know it as {@code zstd}, and any zstd decoder reads it. The
 * level given is the highest the adaptation may pick.
 */
public final class AutoCodec implements Codec {

    /** Input per level decision: 4 MiB, a fraction of a second at any level. */
    public static final int SEGMENT = 4 << 20;

    private final ZstdCodec zstd = new ZstdCodec();
    private final int workers;
    private final int segmentSize;
    private final CpuLoad cpu;

    public AutoCodec() {
        this(Math.max(1, Runtime.getRuntime().availableProcessors()), SEGMENT);
    }

    /** Compresses with {@code workers} zstd threads, choosing a level every {@code segmentSize} input bytes. */
    public AutoCodec(int workers, int segmentSize) {
        this(workers, segmentSize, CpuLoad.system());
    }

    /** As {@link #AutoCodec(int, int)}, judging whether there is CPU to spare for a higher level by {@code cpu}. */
    public AutoCodec(int workers, int segmentSize, CpuLoad cpu) {
        if (segmentSize < 1) {
            throw new IllegalArgumentException("segment size must be positive, was " + segmentSize);
        }
        this.workers = workers;
        this.segmentSize = segmentSize;
        this.cpu = cpu;
    }

    @Override public String name() { return "auto"; }
    @Override public String streamName() { return zstd.name(); }
    /**
     * The highest level picked by default: 6. Above it zstd's window, tables and multithreaded jobs grow
     * fast (level 9 with two workers took ~80 MiB more native memory than level 6, and `caravan send`
     * over a 200 Mbit/s link peaked at 284–297 MiB), for a few percent of size on mixed data.
     */
    @Override public int defaultLevel() { return 6; }
    @Override public int minLevel() { return 1; }
    @Override public int maxLevel() { return zstd.maxLevel(); }
    @Override public String tarSuffix() { return zstd.tarSuffix(); }

    /** Adapts up to {@code level}, choosing afresh for every segment. */
    @Override
    public OutputStream compressor(OutputStream out, int level) {
        return compressor(out, level, LevelLog.inMemory());
    }

    /** Adapts up to {@code level}, replaying the levels {@code log} holds and recording the ones chosen after them. */
    public AdaptiveZstdOutputStream compressor(OutputStream out, int level, LevelLog log) {
        return compressor(out, level, log, LinkWaits.NONE);
    }

    /** As {@link #compressor(OutputStream, int, LevelLog)}, choosing levels from the waits the shipping notes in {@code waits}. */
    public AdaptiveZstdOutputStream compressor(OutputStream out, int level, LevelLog log, LinkWaits waits) {
        AdaptiveLevel levels = new AdaptiveLevel(AdaptiveLevel.FASTEST, level, Math.min(AdaptiveLevel.START, level));
        return new AdaptiveZstdOutputStream(out, workers, segmentSize, levels, log, waits, cpu);
    }

    @Override
    public InputStream decompressor(InputStream in, DecoderMemory memory) throws IOException {
        return zstd.decompressor(in, memory);
    }

    /** Never: an auto stream is a zstd stream, detected and read as such. */
    @Override
    public boolean matches(byte[] signature, int length) {
        return false;
    }
}
