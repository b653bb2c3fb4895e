package io.caravan.unpack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import io.caravan.Shell;
import io.caravan.WideWindowStreams;
import io.caravan.pack.DecoderMemory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Frame by frame decoding: where each frame starts on both sides, and framing that is not trusted. */
class ZstdFrameDecoderTest {

    @TempDir
    Path tmp;

    @Test
    void framesOfZstdJniAndSkippableFramesAreFoundWhereTheyStart() throws IOException {
        byte[] a = text(300_000, 1);
        byte[] b = new byte[200_000];
        new Random(2).nextBytes(b);
        byte[] c = text(5, 3);
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        stream.write(frame(a, 3, true));
        long second = stream.size();
        stream.write(skippable(0x184D2A5F, 1000));
        stream.write(frame(b, 1, false));
        long third = stream.size();
        stream.write(Zstd.compress(c, 19)); // single segment, content size in one byte
        stream.write(skippable(0x184D2A50, 0));

        try (ZstdFrameDecoder decoder = new ZstdFrameDecoder(new ByteArrayInputStream(stream.toByteArray()))) {
            assertThat(decoder.readAllBytes()).isEqualTo(concat(a, b, c));
        }
        // the skippable frame before the second one is passed over: the second starts after it
        assertThat(starts(stream.toByteArray())).containsExactly(new ZstdFrameDecoder.FrameStart(0, 0),
                new ZstdFrameDecoder.FrameStart(second + 8 + 1000, a.length),
                new ZstdFrameDecoder.FrameStart(third, a.length + b.length));
    }

    @Test
    void aStreamResumedAtAFrameStartDecodesTheRestAlone() throws IOException {
        byte[] a = text(400_000, 4);
        byte[] b = text(250_000, 5);
        byte[] first = frame(a, 3, true);
        byte[] stream = concat(first, frame(b, 6, true));
        try (ZstdFrameDecoder resumed = new ZstdFrameDecoder(
                new ByteArrayInputStream(Arrays.copyOfRange(stream, first.length, stream.length)), first.length, a.length, DecoderMemory.ONE_OF_HEAP)) {
            assertThat(resumed.readAllBytes()).isEqualTo(b);
            assertThat(resumed.decoded()).isEqualTo(a.length + b.length);
        }
        assertThat(starts(stream)).contains(new ZstdFrameDecoder.FrameStart(first.length, a.length));
    }

    @Test
    void framesOfTheZstdToolAreReadWithTheirStarts() throws Exception {
        Shell.require("zstd");
        byte[] a = text(3_000_000, 6);
        byte[] b = text(70_000, 7);
        Files.write(tmp.resolve("a"), a);
        Files.write(tmp.resolve("b"), b);
        // a file of known size, one without a checksum, one from a pipe (no content size), joined as zstd joins them
        Shell.run(tmp, "zstd -q -5 a -o a.zst && zstd -q --no-check b -o b.zst && cat b | zstd -q -1 -c > c.zst"
                + " && cat a.zst b.zst c.zst > all.zst");
        byte[] all = Files.readAllBytes(tmp.resolve("all.zst"));
        long aSize = Files.size(tmp.resolve("a.zst"));
        long bSize = Files.size(tmp.resolve("b.zst"));
        try (ZstdFrameDecoder decoder = new ZstdFrameDecoder(new ByteArrayInputStream(all))) {
            assertThat(decoder.readAllBytes()).isEqualTo(concat(a, b, b));
        }
        assertThat(starts(all)).containsExactly(new ZstdFrameDecoder.FrameStart(0, 0),
                new ZstdFrameDecoder.FrameStart(aSize, a.length),
                new ZstdFrameDecoder.FrameStart(aSize + bSize, a.length + b.length));
    }

    @Test
    void aFrameAskingForAWindowAboveItsMemoryIsRefusedNamingIt() throws IOException {
        byte[] first = frame(text(100_000, 11), 3, true);
        byte[] wide = WideWindowStreams.zstd(text(100_000, 12), 27); // a 128 MiB window
        DecoderMemory floor = new DecoderMemory(DecoderMemory.FLOOR, "caravan.receiver.decoder-memory");
        try (ZstdFrameDecoder decoder = new ZstdFrameDecoder(new ByteArrayInputStream(concat(first, wide)), 0, 0, floor)) {
            assertThatThrownBy(decoder::readAllBytes).isInstanceOf(DecoderLimitException.class)
                    .hasMessageContaining("zstd").hasMessageContaining("9 MiB").hasMessageContaining("caravan.receiver.decoder-memory");
        }
    }

    @Test
    void aDamagedChecksumFailsTheFrame() throws IOException {
        byte[] stream = frame(text(100_000, 8), 3, true);
        stream[stream.length - 1] ^= 1;
        assertThatThrownBy(() -> decodeAll(stream)).isInstanceOf(IOException.class);
    }

    @Test
    void hostileFramingFailsAtOnceWithoutAllocatingWhatItClaims() {
        byte[] good = frame(text(50_000, 9), 3, true);
        List<byte[]> hostile = new ArrayList<>();
        hostile.add(withByte(good, 4, good[4] | 0x08)); // reserved bit
        hostile.add(withByte(good, 4, good[4] | 0x03)); // a dictionary
        // a window of 2^41 bytes: window descriptor exponent 31
        hostile.add(concat(magic(), new byte[] {0x00, (byte) 0xf8}, blockHeader(true, 0, 0)));
        // a single segment frame that says it holds 2^62 bytes
        hostile.add(concat(magic(), new byte[] {(byte) 0xe0, 0, 0, 0, 0, 0, 0, 0, 0x40}, blockHeader(true, 0, 0)));
        // a block of the reserved type, and one above 128 KiB
        hostile.add(concat(magic(), new byte[] {0x00, 0x50}, blockHeader(true, 3, 10)));
        hostile.add(concat(magic(), new byte[] {0x00, 0x50}, blockHeader(true, 1, 128 * 1024 + 1)));
        // a block above the frame's own window (1 KiB)
        hostile.add(concat(magic(), new byte[] {0x00, 0x00}, blockHeader(true, 0, 2000), new byte[2000]));
        // cut in the magic, the header, a block header, a block, the checksum; a skippable frame cut short
        hostile.add(Arrays.copyOf(good, 2));
        hostile.add(Arrays.copyOf(good, 5));
        hostile.add(Arrays.copyOf(good, good.length - 6));
        hostile.add(Arrays.copyOf(good, good.length - 2));
        hostile.add(Arrays.copyOf(skippable(0x184D2A53, 100_000), 50));
        hostile.add(concat(good, "not zstd".getBytes(StandardCharsets.US_ASCII)));
        for (byte[] stream : hostile) {
            assertThatThrownBy(() -> decodeAll(stream)).isInstanceOf(IOException.class);
        }
    }

    @Test
    void randomBytesAfterAMagicNumberFailOrEndButNeverHang() {
        Random random = new Random(10);
        for (int i = 0; i < 2_000; i++) {
            byte[] tail = new byte[random.nextInt(300)];
            random.nextBytes(tail);
            byte[] stream = concat(magic(), tail);
            try {
                decodeAll(stream);
            } catch (IOException expected) {
                // failing is what damaged data does
            }
        }
    }

    @Test
    void manyEmptyBlocksAreReadOneByOneInBoundedMemory() throws IOException {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        stream.write(magic());
        stream.write(new byte[] {0x00, 0x50}); // 1 MiB window, no content size, no checksum
        for (int i = 0; i < 100_000; i++) {
            stream.write(blockHeader(false, 0, 0));
        }
        stream.write(blockHeader(true, 1, 5));
        stream.write('x');
        assertThat(decodeAll(stream.toByteArray())).isEqualTo("xxxxx".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void whatArrivedOfAFrameIsDecodedBeforeTheRestComes() throws Exception {
        byte[] data = text(2_000_000, 11);
        byte[] stream = frame(data, 3, true);
        java.io.PipedOutputStream writer = new java.io.PipedOutputStream();
        java.io.PipedInputStream pipe = new java.io.PipedInputStream(writer, stream.length);
        writer.write(stream, 0, stream.length / 2); // the rest never comes while the reader reads
        java.util.concurrent.ExecutorService reader = java.util.concurrent.Executors.newSingleThreadExecutor();
        try (ZstdFrameDecoder decoder = new ZstdFrameDecoder(pipe)) {
            java.util.concurrent.Future<Integer> first = reader.submit(() -> decoder.read(new byte[1 << 20], 0, 1 << 20));
            assertThat(first.get(10, java.util.concurrent.TimeUnit.SECONDS)).isPositive();
        } finally {
            reader.shutdownNow();
            writer.close();
        }
    }

    private static byte[] decodeAll(byte[] stream) throws IOException {
        try (InputStream in = new ZstdFrameDecoder(new ByteArrayInputStream(stream))) {
            return in.readAllBytes();
        }
    }

    /** The frame starts, asked for at each decoded offset while the stream is read. */
    private static List<ZstdFrameDecoder.FrameStart> starts(byte[] stream) throws IOException {
        List<ZstdFrameDecoder.FrameStart> found = new ArrayList<>();
        try (ZstdFrameDecoder decoder = new ZstdFrameDecoder(new ByteArrayInputStream(stream))) {
            byte[] buffer = new byte[997];
            long at = 0;
            while (true) {
                int n = decoder.read(buffer, 0, buffer.length);
                for (long offset = at; offset < at + Math.max(n, 0) + (n < 0 ? 0 : 1); offset++) {
                    ZstdFrameDecoder.FrameStart start = decoder.frameStartingAt(offset);
                    if (start != null && (found.isEmpty() || !found.get(found.size() - 1).equals(start))) {
                        found.add(start);
                    }
                }
                if (n < 0) {
                    return found;
                }
                at += n;
            }
        }
    }

    private static byte[] frame(byte[] data, int level, boolean checksum) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (ZstdOutputStreamNoFinalizer zstd = new ZstdOutputStreamNoFinalizer(out, level)) {
                zstd.setChecksum(checksum);
                zstd.write(data);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] skippable(int magic, int size) {
        byte[] frame = new byte[8 + size];
        for (int i = 0; i < 4; i++) {
            frame[i] = (byte) (magic >>> 8 * i);
            frame[4 + i] = (byte) (size >>> 8 * i);
        }
        return frame;
    }

    private static byte[] magic() {
        return new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd};
    }

    private static byte[] blockHeader(boolean last, int type, int size) {
        int value = size << 3 | type << 1 | (last ? 1 : 0);
        return new byte[] {(byte) value, (byte) (value >>> 8), (byte) (value >>> 16)};
    }

    private static byte[] withByte(byte[] bytes, int at, int value) {
        byte[] copy = bytes.clone();
        copy[at] = (byte) value;
        return copy;
    }

    private static byte[] text(int size, long seed) {
        Random random = new Random(seed);
        String[] words = {"caravan ", "parcel ", "chunk ", "frame ", "entry ", "zstd ", "tar\n"};
        StringBuilder text = new StringBuilder(size + 16);
        while (text.length() < size) {
            text.append(words[random.nextInt(words.length)]);
        }
        return text.substring(0, size).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
