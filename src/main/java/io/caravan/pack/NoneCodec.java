package io.caravan.pack;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** The identity codec: a plain tar stream. Matches any signature, so it is asked last. */
public final class NoneCodec implements Codec {

    @Override public String name() { return "none"; }
    @Override public int defaultLevel() { return 0; }
    @Override public int minLevel() { return 0; }
    @Override public int maxLevel() { return 0; }
    @Override public String tarSuffix() { return ".tar"; }

    @Override
    public OutputStream compressor(OutputStream out, int level) {
        return new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }
        };
    }

    @Override
    public InputStream decompressor(InputStream in, DecoderMemory memory) {
        return in;
    }

    @Override
    public boolean matches(byte[] signature, int length) {
        return true;
    }
}
