package io.caravan.pack;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdIOException;
import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import io.caravan.unpack.DecoderLimitException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Zstandard through zstd-jni, with a content checksum as the zstd tool writes by default.
 * Compression uses worker threads; zstd's output does not depend on their number, so it stays
 * deterministic across machines.
 */
public final class ZstdCodec implements Codec {

    private final int workers;

    public ZstdCodec() {
        this(Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    public ZstdCodec(int workers) {
        this.workers = workers;
    }

    @Override public String name() { return "zstd"; }
    @Override public int defaultLevel() { return 3; }
    @Override public int minLevel() { return 1; }
    @Override public int maxLevel() { return 19; }
    @Override public String tarSuffix() { return ".tar.zst"; }

    @Override
    public OutputStream compressor(OutputStream out, int level) throws IOException {
        return frame(out, level, workers);
    }

    /**
     * The stream a parcel is packed into: frames at {@code level} that end at some of the tar stream's
     * entry boundaries, so a receiver can resume decoding there ({@link RestartPoints}).
     */
    public OutputStream entryFramed(OutputStream out, int level) {
        return new EntryFramedZstdOutputStream(out, level, workers);
    }

    /**
     * Input per zstd worker job with workers: 2 MiB, whatever the level. zstd's own choice is four
     * windows (8 MiB at levels 3 to 8, 16 MiB at 9), buffered in and out per worker, which made level 6
     * cost ~90 MiB more memory than level 1 with two workers (the sender's RSS goal is 256 MiB). The
     * output still does not depend on the number of workers.
     */
    static final int JOB_SIZE = 2 << 20;

    /** A zstd frame with a checksum, compressed by {@code workers} threads in jobs of {@link #JOB_SIZE}. */
    static ZstdOutputStreamNoFinalizer frame(OutputStream out, int level, int workers) throws IOException {
        ZstdOutputStreamNoFinalizer zstd = new ZstdOutputStreamNoFinalizer(out, level);
        zstd.setChecksum(true);
        zstd.setWorkers(workers);
        if (workers > 0) {
            zstd.setJobSize(JOB_SIZE);
        }
        return zstd;
    }

    @Override
    public InputStream decompressor(InputStream in, DecoderMemory memory) throws IOException {
        return decoder(in, memory);
    }

    /**
     * A decoder of the zstd frames in {@code in} that reads to the end of {@code in} and fails on a frame cut
     * short; a frame asking for a window above {@code memory} is refused ({@link DecoderLimitException})
     * before its window is taken.
     */
    public static InputStream decoder(InputStream in, DecoderMemory memory) throws IOException {
        return decoder(in, firstWindow(in), memory);
    }

    /** As {@link #decoder(InputStream, DecoderMemory)}, for a stream whose first frame declares {@code window} (-1: not known). */
    public static InputStream decoder(InputStream in, long window, DecoderMemory memory) throws IOException {
        ZstdInputStreamNoFinalizer zstd = new ZstdInputStreamNoFinalizer(in);
        zstd.setContinuous(false);
        int windowLog = memory.zstdWindowLog();
        zstd.setLongMax(windowLog);
        return new DecoderStream(zstd, e -> e instanceof ZstdIOException z && z.getErrorCode() == Zstd.errFrameParameterWindowTooLarge()
                ? memory.refused("zstd", window > memory.bytes() ? "a window of " + DecoderMemory.mib(window)
                        : "a window above " + DecoderMemory.mib(1L << windowLog), window,
                        "compress with a window of at most " + DecoderMemory.mib(1L << windowLog) + " (zstd --zstd=wlog=" + windowLog
                                + " or lower, no --long; zstd's levels 1 to 19 need at most 8 MiB)")
                : null);
    }

    /**
     * The window the first frame of {@code in} declares, when {@code in} can be read ahead (-1: not known), to
     * name it in a refusal; the decoder's own limit decides.
     */
    private static long firstWindow(InputStream in) throws IOException {
        if (!in.markSupported()) {
            return -1;
        }
        byte[] head = new byte[6];
        in.mark(head.length);
        int n = in.readNBytes(head, 0, head.length);
        in.reset();
        if (n < head.length || !Codec.startsWith(head, n, 0x28, 0xb5, 0x2f, 0xfd) || (head[4] & 0x20) != 0) {
            return -1; // single segment: the window is the content size
        }
        int exponent = (head[5] & 0xff) >>> 3;
        long base = 1L << (10 + exponent);
        return base + base / 8 * (head[5] & 7);
    }

    @Override
    public boolean matches(byte[] signature, int length) {
        return Codec.startsWith(signature, length, 0x28, 0xb5, 0x2f, 0xfd);
    }
}
