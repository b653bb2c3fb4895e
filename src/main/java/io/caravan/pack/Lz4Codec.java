package io.caravan.pack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4FrameInputStream;
import net.jpountz.lz4.LZ4FrameOutputStream;
import net.jpountz.xxhash.XXHashFactory;

/**
 * LZ4 frame format (what the {@code lz4} tool writes) through lz4-java. Level 1 is the fast
 * compressor; levels 2 to 12 use LZ4 HC at that level.
 */
public final class Lz4Codec implements Codec {

    @Override public String name() { return "lz4"; }
    @Override public int defaultLevel() { return 1; }
    @Override public int minLevel() { return 1; }
    @Override public int maxLevel() { return 12; }
    @Override public String tarSuffix() { return ".tar.lz4"; }

    @Override
    public OutputStream compressor(OutputStream out, int level) throws IOException {
        LZ4Factory factory = LZ4Factory.fastestInstance();
        return new LZ4FrameOutputStream(out, LZ4FrameOutputStream.BLOCKSIZE.SIZE_4MB, -1L,
                level <= 1 ? factory.fastCompressor() : factory.highCompressor(level),
                XXHashFactory.fastestInstance().hash32(),
                LZ4FrameOutputStream.FLG.Bits.BLOCK_INDEPENDENCE, LZ4FrameOutputStream.FLG.Bits.CONTENT_CHECKSUM);
    }

    /** The largest block the format allows, 4 MiB, is held compressed and decoded: within {@link DecoderMemory#FLOOR}. */
    @Override
    public InputStream decompressor(InputStream in, DecoderMemory memory) throws IOException {
        return new LZ4FrameInputStream(in);
    }

    @Override
    public boolean matches(byte[] signature, int length) {
        return Codec.startsWith(signature, length, 0x04, 0x22, 0x4d, 0x18);
    }
}
