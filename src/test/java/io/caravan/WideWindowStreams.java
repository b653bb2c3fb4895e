package io.caravan;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/**
 * Small compressed streams whose headers ask the decoder for a large dictionary or window: an xz
 * stream of a few hundred bytes whose LZMA2 filter declares up to gigabytes of dictionary (as any
 * xz tool may write it: {@code xz -lvv} names the memory it needs, {@code xz -d --memlimit} decodes
 * it), and a zstd frame whose window descriptor asks for up to 2^31 bytes. Their content is
 * whatever the caller gives, whole and valid.
 */
public final class WideWindowStreams {

    private WideWindowStreams() {
    }

    /** The xz dictionary size the LZMA2 dictionary byte {@code dictByte} declares. */
    public static long xzDictionary(int dictByte) {
        return (2L | (dictByte & 1)) << (dictByte / 2 + 11);
    }

    /**
     * {@code content} as an .xz stream with a 1 MiB dictionary, its block header then patched to
     * declare the dictionary of {@code dictByte} ({@link #xzDictionary}: 31 is 192 MiB) and its CRC32
     * made right again.
     */
    public static byte[] xz(byte[] content, int dictByte) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        LZMA2Options options = new LZMA2Options();
        options.setDictSize(1 << 20);
        try (XZOutputStream out = new XZOutputStream(bytes, options)) {
            out.write(content);
        }
        byte[] xz = bytes.toByteArray();
        int start = 12; // after the stream header
        int size = ((xz[start] & 0xff) + 1) * 4;
        for (int i = start; i < start + size - 2; i++) {
            if (xz[i] == 0x21 && xz[i + 1] == 0x01) { // LZMA2 filter, one byte of properties
                xz[i + 2] = (byte) dictByte;
                CRC32 crc = new CRC32();
                crc.update(xz, start, size - 4);
                ByteBuffer.wrap(xz, start + size - 4, 4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue());
                return xz;
            }
        }
        throw new IllegalStateException("no LZMA2 filter in the block header");
    }

    /**
     * {@code content} (at most 128 KiB) as one zstd frame of one raw block, without checksum, whose window
     * descriptor declares a window of 2^{@code windowLog} bytes (10 to 31).
     */
    public static byte[] zstd(byte[] content, int windowLog) {
        if (content.length > 128 << 10 || windowLog < 10 || windowLog > 31) {
            throw new IllegalArgumentException("content of at most 128 KiB and a window log of 10 to 31");
        }
        ByteBuffer frame = ByteBuffer.allocate(4 + 2 + 3 + content.length).order(ByteOrder.LITTLE_ENDIAN);
        frame.putInt(0xFD2FB528); // magic
        frame.put((byte) 0); // no content size, not single segment, no checksum, no dictionary
        frame.put((byte) ((windowLog - 10) << 3)); // window descriptor: exponent, no mantissa
        int blockHeader = (content.length << 3) | 1; // raw block, the last
        frame.put((byte) blockHeader).put((byte) (blockHeader >>> 8)).put((byte) (blockHeader >>> 16));
        frame.put(content);
        return frame.array();
    }
}
