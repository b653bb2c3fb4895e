package io.caravan;

import io.caravan.pack.Codec;
import io.caravan.pack.Codecs;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

/**
 * A tar stream written header block by header block: a GNU long-name ({@code L}), long-link
 * ({@code K}), PAX ({@code x}, {@code g}) or Solaris ({@code X}) header that declares a huge size,
 * its body all zeros, then an ordinary file. The body is generated as it is read, never held, so a
 * 60 MiB header costs the test nothing; gzip or zstd make it a few dozen KB.
 */
public final class HeaderBombTar {

    public static final int BLOCK = 512;

    private HeaderBombTar() {
    }

    /** A ustar header block; {@code size} is written in octal, or in base-256 with {@code binarySize}. */
    public static byte[] header(String name, byte type, long size, boolean binarySize) {
        byte[] h = new byte[BLOCK];
        put(h, 0, 100, name);
        put(h, 100, 8, "0000644");
        put(h, 108, 8, "0001750");
        put(h, 116, 8, "0001750");
        if (binarySize) {
            h[124] = (byte) 0x80;
            for (int i = 0; i < 8; i++) {
                h[135 - i] = (byte) (size >>> (8 * i));
            }
        } else {
            put(h, 124, 12, String.format("%011o", size));
        }
        put(h, 136, 12, String.format("%011o", 1_700_000_000L));
        h[156] = type;
        put(h, 257, 6, "ustar");
        put(h, 263, 2, "00");
        Arrays.fill(h, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        put(h, 148, 8, String.format("%06o", sum));
        h[155] = ' ';
        return h;
    }

    private static void put(byte[] h, int offset, int length, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(bytes, 0, h, offset, Math.min(length, bytes.length));
    }

    /**
     * The whole tar: the special header of {@code type} declaring {@code size} bytes (all zeros), then
     * a file {@code evil.txt} of 4 bytes, then the two zero blocks that end a tar.
     */
    public static InputStream stream(byte type, long size, boolean binarySize) {
        byte[] special = header(type == 'L' || type == 'K' ? "././@LongLink" : "./PaxHeaders/evil.txt", type, size, binarySize);
        byte[] file = header("evil.txt", (byte) '0', 4, false);
        byte[] tail = new byte[4 * BLOCK]; // the file's header, its content block, two zero blocks
        System.arraycopy(file, 0, tail, 0, BLOCK);
        System.arraycopy("evil".getBytes(StandardCharsets.US_ASCII), 0, tail, BLOCK, 4);
        long padded = (size + BLOCK - 1) / BLOCK * BLOCK;
        return new SequenceInputStream(new SequenceInputStream(new ByteArrayInputStream(special), zeros(padded)),
                new ByteArrayInputStream(tail));
    }

    /** The tar of {@link #stream} gzip-compressed. */
    public static byte[] gzip(byte type, long size) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(out, 1 << 16); InputStream in = stream(type, size, false)) {
            in.transferTo(gz);
        }
        return out.toByteArray();
    }

    /** The tar of {@link #stream} zstd-compressed. */
    public static byte[] zstd(byte type, long size) throws IOException {
        Codec zstd = Codecs.byName("zstd");
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (OutputStream z = zstd.compressor(out, zstd.defaultLevel()); InputStream in = stream(type, size, false)) {
            in.transferTo(z);
        }
        return out.toByteArray();
    }

    /** {@code n} zero bytes, generated as they are read. */
    public static InputStream zeros(long n) {
        return new InputStream() {
            private long left = n;

            @Override
            public int read() {
                if (left <= 0) {
                    return -1;
                }
                left--;
                return 0;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int k = (int) Math.min(len, left);
                Arrays.fill(b, off, off + k, (byte) 0);
                left -= k;
                return k;
            }
        };
    }
}
