package io.caravan.pack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;

/** bzip2 through Commons Compress; the level is the block size in 100 kB units. */
public final class Bzip2Codec implements Codec {

    @Override public String name() { return "bzip2"; }
    @Override public int defaultLevel() { return 9; }
    @Override public int minLevel() { return 1; }
    @Override public int maxLevel() { return 9; }
    @Override public String tarSuffix() { return ".tar.bz2"; }

    @Override
    public OutputStream compressor(OutputStream out, int level) throws IOException {
        return new BZip2CompressorOutputStream(out, level);
    }

    @Override
    public InputStream decompressor(InputStream in, DecoderMemory memory) throws IOException {
        return new BZip2CompressorInputStream(in, true);
    }

    @Override
    public boolean matches(byte[] signature, int length) {
        return Codec.startsWith(signature, length, 'B', 'Z', 'h');
    }
}
