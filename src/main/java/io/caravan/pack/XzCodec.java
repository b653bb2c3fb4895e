package io.caravan.pack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.UnsupportedOptionsException;
import org.tukaani.xz.XZInputStream;
import org.tukaani.xz.XZOutputStream;

/** xz (LZMA2) through XZ for Java; decoding is capped at {@value #MEMORY_LIMIT_KIB} KiB of dictionary. */
public final class XzCodec implements Codec {

    /** Enough for any preset of xz -9e; a crafted header asking for more is refused. */
    static final int MEMORY_LIMIT_KIB = 256 * 1024;

    @Override public String name() { return "xz"; }
    @Override public int defaultLevel() { return 6; }
    @Override public int minLevel() { return 0; }
    @Override public int maxLevel() { return 9; }
    @Override public String tarSuffix() { return ".tar.xz"; }

    @Override
    public OutputStream compressor(OutputStream out, int level) throws IOException {
        try {
            return new XZOutputStream(out, new LZMA2Options(level));
        } catch (UnsupportedOptionsException e) {
            throw new IllegalArgumentException("xz level " + level + " is not supported", e);
        }
    }

    @Override
    public InputStream decompressor(InputStream in) throws IOException {
        return new XZInputStream(in, MEMORY_LIMIT_KIB);
    }

    @Override
    public boolean matches(byte[] signature, int length) {
        return Codec.startsWith(signature, length, 0xfd, '7', 'z', 'X', 'Z', 0x00);
    }
}
