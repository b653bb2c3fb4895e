package io.caravan.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.caravan.util.AlignedBuffers;
import io.caravan.util.Sha256;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChunkFileWriterTest {

    @TempDir
    Path dir;

    /** The body in uneven pieces, as Netty's composite request buffers hold it, some of them direct. */
    static ByteBuffer[] pieces(byte[] data) {
        int[] cuts = {0, Math.min(data.length, 1), Math.min(data.length, 5000), Math.min(data.length, 70_001), data.length};
        ByteBuffer[] parts = new ByteBuffer[cuts.length - 1];
        for (int i = 0; i < parts.length; i++) {
            int n = cuts[i + 1] - cuts[i];
            ByteBuffer part = i % 2 == 0 ? ByteBuffer.allocateDirect(n) : ByteBuffer.allocate(n);
            part.put(data, cuts[i], n).flip();
            parts[i] = part;
        }
        return parts;
    }

    static byte[] random(int length, long seed) {
        byte[] data = new byte[length];
        new Random(seed).nextBytes(data);
        return data;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4095, 4096, 4097, 1 << 20, (1 << 20) + 1, (3 << 20) + 17})
    void writesTheExactBodyAndItsHashWhateverTheLength(int length) throws Exception {
        byte[] data = random(length, length);
        ChunkFileWriter writer = new ChunkFileWriter(new AlignedBuffers(2));
        ByteBuffer[] body = pieces(data);

        String sha = writer.write(dir.resolve("c"), body, length);

        assertArrayEquals(data, Files.readAllBytes(dir.resolve("c")), "file bytes");
        assertEquals(Sha256.of(data, 0, length), sha);
        for (ByteBuffer part : body) {
            assertEquals(0, part.position(), "the request buffers are not consumed");
        }
    }

    @Test
    void aShortChunkAfterALongOneHoldsOnlyItsOwnBytes() throws Exception {
        AlignedBuffers buffers = new AlignedBuffers(1);
        ChunkFileWriter writer = new ChunkFileWriter(buffers);
        byte[] big = random(100_000, 1);
        writer.write(dir.resolve("a"), pieces(big), big.length);
        byte[] small = random(10, 2);

        assertEquals(Sha256.of(small, 0, small.length), writer.write(dir.resolve("b"), pieces(small), small.length));
        assertArrayEquals(small, Files.readAllBytes(dir.resolve("b")), "the file is cut to the body, not a whole block");
        ByteBuffer staging = buffers.acquire();
        assertNotNull(staging, "the buffer was given back");
        ByteBuffer padding = staging.duplicate().limit(AlignedBuffers.BLOCK).position(small.length);
        while (padding.hasRemaining()) {
            assertEquals(0, padding.get(), "the block's tail is zeroed, not left from the earlier chunk");
        }
    }

    @Test
    void whenEveryBufferIsBusyItWritesThroughThePageCache() throws Exception {
        AlignedBuffers buffers = new AlignedBuffers(1);
        ByteBuffer busy = buffers.acquire();
        assertNotNull(busy);

        byte[] data = random(300_000, 3);
        String sha = new ChunkFileWriter(buffers).write(dir.resolve("c"), pieces(data), data.length);

        assertArrayEquals(data, Files.readAllBytes(dir.resolve("c")));
        assertEquals(Sha256.of(data, 0, data.length), sha);
        assertEquals(AlignedBuffers.SIZE, buffers.allocatedBytes(), "no buffer beyond the count");
    }

    @Test
    void withoutBuffersNothingIsAllocated() throws Exception {
        AlignedBuffers buffers = new AlignedBuffers(0);
        byte[] data = random(5000, 4);
        new ChunkFileWriter(buffers).write(dir.resolve("c"), pieces(data), data.length);
        assertArrayEquals(data, Files.readAllBytes(dir.resolve("c")));
        assertEquals(0, buffers.allocatedBytes());
        assertNull(buffers.acquire());
    }

    @Test
    void buffersAreAlignedAndReused() {
        AlignedBuffers buffers = new AlignedBuffers(2);
        ByteBuffer a = buffers.acquire();
        ByteBuffer b = buffers.acquire();
        assertEquals(0, a.alignmentOffset(0, AlignedBuffers.BLOCK), "block-aligned address");
        assertEquals(0, b.alignmentOffset(0, AlignedBuffers.BLOCK), "block-aligned address");
        assertEquals(AlignedBuffers.SIZE, a.capacity());
        assertNull(buffers.acquire(), "two at most");
        buffers.release(a);
        assertSame(a, buffers.acquire(), "a freed buffer is handed out again");
    }
}
