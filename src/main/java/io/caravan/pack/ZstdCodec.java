package io.caravan.pack;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
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
    public InputStream decompressor(InputStream in) throws IOException {
        ZstdInputStreamNoFinalizer zstd = new ZstdInputStreamNoFinalizer(in);
        zstd.setContinuous(false);
        return zstd;
    }

    @Override
    public boolean matches(byte[] signature, int length) {
        return Codec.startsWith(signature, length, 0x28, 0xb5, 0x2f, 0xfd);
    }
}
