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
        ZstdOutputStreamNoFinalizer zstd = new ZstdOutputStreamNoFinalizer(out, level);
        zstd.setChecksum(true);
        zstd.setWorkers(workers);
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
