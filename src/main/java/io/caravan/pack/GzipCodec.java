package io.caravan.pack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** gzip (RFC 1952) through the JDK's zlib; the header carries no time stamp, so output is stable. */
public final class GzipCodec implements Codec {

    private static final int BUFFER = 64 * 1024;

    @Override public String name() { return "gzip"; }
    @Override public int defaultLevel() { return 6; }
    @Override public int minLevel() { return 1; }
    @Override public int maxLevel() { return 9; }
    @Override public String tarSuffix() { return ".tar.gz"; }

    @Override
    public OutputStream compressor(OutputStream out, int level) throws IOException {
        return new GZIPOutputStream(out, BUFFER) {
            {
                def.setLevel(level);
            }
        };
    }

    @Override
    public InputStream decompressor(InputStream in, DecoderMemory memory) throws IOException {
        // GZIPInputStream reads concatenated members, as gzip -d does.
        return new GZIPInputStream(in, BUFFER);
    }

    @Override
    public boolean matches(byte[] signature, int length) {
        return Codec.startsWith(signature, length, 0x1f, 0x8b);
    }
}
