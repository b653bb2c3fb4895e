package io.caravan.pack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import io.caravan.unpack.DecoderLimitException;
import java.util.function.Function;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.MemoryLimitException;
import org.tukaani.xz.UnsupportedOptionsException;
import org.tukaani.xz.XZInputStream;
import org.tukaani.xz.XZOutputStream;

/**
 * xz (LZMA2) through XZ for Java. A stream whose dictionary needs more memory than its decoder is given
 * ({@link DecoderMemory}) is refused by XZ for Java's own memory limit, before the dictionary is allocated.
 */
public final class XzCodec implements Codec {

    @Override public String name() { return "xz"; }
    @Override public int defaultLevel() { return 6; }
    @Override public int minLevel() { return 0; }
    @Override public int maxLevel() { return 9; }
    @Override public String tarSuffix() { return ".tar.xz"; }

    /** What XZ for Java says its encoder needs: 93 MiB at levels 5 and 6, 184, 368 and 672 MiB at 7, 8 and 9. */
    @Override
    public long compressorHeap(int level) {
        try {
            return (long) new LZMA2Options(level).getEncoderMemoryUsage() << 10;
        } catch (UnsupportedOptionsException e) {
            throw new IllegalArgumentException("xz level " + level + " is not supported", e);
        }
    }

    @Override
    public OutputStream compressor(OutputStream out, int level) throws IOException {
        try {
            return new XZOutputStream(out, new LZMA2Options(level));
        } catch (UnsupportedOptionsException e) {
            throw new IllegalArgumentException("xz level " + level + " is not supported", e);
        }
    }

    @Override
    public InputStream decompressor(InputStream in, DecoderMemory memory) throws IOException {
        Function<IOException, DecoderLimitException> refusal = e -> e instanceof MemoryLimitException limit
                ? memory.refused(name(), DecoderMemory.mib((long) limit.getMemoryNeeded() << 10) + " of memory for its dictionary",
                        (long) limit.getMemoryNeeded() << 10, smaller(memory))
                : null;
        try {
            return new DecoderStream(new XZInputStream(in, memory.xzKib()), refusal);
        } catch (MemoryLimitException e) {
            DecoderLimitException limit = refusal.apply(e);
            limit.initCause(e);
            throw limit;
        }
    }

    /** How to compress within {@code memory}: the highest preset whose dictionary fits. */
    private static String smaller(DecoderMemory memory) {
        for (int preset = LZMA2Options.PRESET_MAX; preset > LZMA2Options.PRESET_MIN; preset--) {
            try {
                if (new LZMA2Options(preset).getDecoderMemoryUsage() <= memory.xzKib()) {
                    return "compress with xz -" + preset + " or lower";
                }
            } catch (UnsupportedOptionsException e) {
                throw new IllegalStateException(e);
            }
        }
        return "compress with xz -0";
    }

    @Override
    public boolean matches(byte[] signature, int length) {
        return Codec.startsWith(signature, length, 0xfd, '7', 'z', 'X', 'Z', 0x00);
    }
}
