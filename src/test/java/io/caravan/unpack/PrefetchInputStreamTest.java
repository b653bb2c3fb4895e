package io.caravan.unpack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PrefetchInputStreamTest {

    /** A source that hands out uneven pieces, as a decompressor or a receiver's chunk stream does. */
    private static InputStream uneven(byte[] data, long seed) {
        Random sizes = new Random(seed);
        return new ByteArrayInputStream(data) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1 + sizes.nextInt(70_000)));
            }
        };
    }

    @Test
    void deliversEveryByteInOrderWhateverTheSizesOfTheReadsOnEitherSide() throws Exception {
        byte[] data = new byte[3 * 1024 * 1024 + 17];
        new Random(7).nextBytes(data);
        Random reads = new Random(11);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrefetchInputStream in = new PrefetchInputStream(uneven(data, 3), 4, 64 * 1024, "test-prefetch")) {
            byte[] buffer = new byte[100_000];
            for (int n; (n = in.read(buffer, 0, 1 + reads.nextInt(buffer.length))) > 0; ) {
                out.write(buffer, 0, n);
            }
            assertEquals(-1, in.read(), "stays at its end");
        }
        assertArrayEquals(data, out.toByteArray());
    }

    @Test
    void aFailureOfTheSourceReachesTheReaderAfterTheBytesBeforeIt() throws Exception {
        byte[] data = new byte[200_000];
        new Random(5).nextBytes(data);
        InputStream failing = new InputStream() {
            private final InputStream good = uneven(data, 9);

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = good.read(b, off, len);
                if (n < 0) {
                    throw new IOException("disk on fire");
                }
                return n;
            }
        };
        try (PrefetchInputStream in = new PrefetchInputStream(failing, 2, 32 * 1024, "test-prefetch")) {
            byte[] got = in.readNBytes(data.length);
            assertArrayEquals(data, got);
            IOException e = assertThrows(IOException.class, in::read);
            assertEquals("disk on fire", e.getMessage());
        }
    }
}
