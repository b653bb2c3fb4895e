package io.caravan.pack;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.Shell;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code auto} codec's stream: stored segments, levels changing between frames, replay from its log. */
class AdaptiveZstdOutputStreamTest {

    private static final int SEGMENT = 1 << 20;
    private static final AutoCodec AUTO = new AutoCodec(2, SEGMENT);

    @TempDir
    Path tmp;

    @Test
    void alreadyCompressedDataIsStoredWithoutGoingThroughTheCompressor() throws IOException {
        byte[] random = random(16 * SEGMENT + 12345, 1);
        LevelLog log = LevelLog.inMemory();
        ByteArrayOutputStream packed = new ByteArrayOutputStream();
        AdaptiveZstdOutputStream out = AUTO.compressor(packed, 12, log);
        out.write(random);
        out.close();

        assertThat(out.storedBytes()).isEqualTo(random.length);
        // only the samples went through zstd: under 5 % of what codec none would pass on untouched
        assertThat(out.compressedBytes()).isLessThan(random.length / 20);
        assertThat(packed.size()).as("raw blocks cost a few bytes each").isLessThan(random.length + random.length / 1000);
        assertThat(log.levels()).hasSize(17).containsOnly(LevelLog.STORE);
        assertThat(decode(packed.toByteArray())).isEqualTo(random);
    }

    /**
     * A last segment of up to three samples is sampled whole: incompressible, between one and three samples long (a
     * folder holding one 30 KiB JPEG), it did not fit the buffer the sample is compressed into, and zstd-jni threw
     * "Destination buffer is too small", failing the packing. Every such size is stored now.
     */
    @Test
    void aShortIncompressibleTailOfAnySizeIsStored() throws IOException {
        for (int size : new int[] {1, 10_000, AdaptiveZstdOutputStream.SAMPLE, 20_000, 30_000, 45_000,
                3 * AdaptiveZstdOutputStream.SAMPLE, 3 * AdaptiveZstdOutputStream.SAMPLE + 1, 60_000}) {
            byte[] data = random(SEGMENT + size, size);
            ByteArrayOutputStream packed = new ByteArrayOutputStream();
            AdaptiveZstdOutputStream out = AUTO.compressor(packed, 12, LevelLog.inMemory());
            out.write(data);
            out.close();

            assertThat(out.storedBytes()).as("stored of %d", data.length).isEqualTo(data.length);
            assertThat(decode(packed.toByteArray())).isEqualTo(data);
        }
    }

    @Test
    void framesAtDifferentLevelsAndStoredOnesReadAsOneStream() throws Exception {
        byte[] data = mixed(6 * SEGMENT + 999);
        LevelLog log = LevelLog.of(1, 9, LevelLog.STORE, AdaptiveLevel.FASTEST, 3, 3, 12);
        ByteArrayOutputStream packed = new ByteArrayOutputStream();
        AdaptiveZstdOutputStream out = AUTO.compressor(packed, 12, log);
        out.write(data);
        out.close();

        assertThat(out.storedBytes()).isEqualTo(SEGMENT);
        assertThat(packed.size()).isLessThan(data.length / 2);
        assertThat(decode(packed.toByteArray())).isEqualTo(data);
        try (InputStream in = Codecs.autoDecompress(new ByteArrayInputStream(packed.toByteArray()))) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
        // the zstd tool reads it too, checking each frame's checksum
        Files.write(tmp.resolve("mixed.zst"), packed.toByteArray());
        Shell.require("zstd");
        Shell.run(tmp, "zstd -q -t mixed.zst && zstd -q -d mixed.zst -o mixed");
        assertThat(Files.readAllBytes(tmp.resolve("mixed"))).isEqualTo(data);
    }

    @Test
    void theSameInputAndLogGiveTheSameBytes() throws IOException {
        byte[] data = mixed(5 * SEGMENT);
        LevelLog first = LevelLog.inMemory();
        byte[] once = pack(data, first);
        assertThat(first.levels()).hasSize(5);
        byte[] again = pack(data, LevelLog.of(first.levels().stream().mapToInt(Integer::intValue).toArray()));
        assertThat(again).isEqualTo(once);
        assertThat(pack(data, LevelLog.of(5, 5, 5, 5, 5))).isEqualTo(pack(data, LevelLog.of(5, 5, 5, 5, 5)));
    }

    @Test
    void aLogInAFileIsReplayedAndThenContinued() throws IOException {
        Path file = tmp.resolve("levels/session");
        LevelLog earlier = LevelLog.in(file);
        earlier.record(0, 7);
        earlier.record(1, LevelLog.STORE);
        earlier.record(2, -2);

        LevelLog resumed = LevelLog.in(file);
        assertThat(resumed.levels()).containsExactly(7, LevelLog.STORE, -2);
        byte[] data = mixed(5 * SEGMENT);
        assertThat(decode(pack(data, resumed))).isEqualTo(data);
        assertThat(LevelLog.in(file).levels()).hasSize(5).startsWith(7, LevelLog.STORE, -2);
        assertThat(Files.size(file)).isEqualTo(5);
    }

    @Test
    void anEmptyInputIsAnEmptyZstdStream() throws IOException {
        byte[] packed = pack(new byte[0], LevelLog.inMemory());
        assertThat(packed.length).isPositive();
        assertThat(decode(packed)).isEmpty();
    }

    @Test
    void theLevelGivenIsTheHighestItPicks() throws IOException {
        LevelLog log = LevelLog.inMemory();
        ByteArrayOutputStream packed = new ByteArrayOutputStream();
        try (AdaptiveZstdOutputStream out = AUTO.compressor(packed, 2, log)) {
            out.write(mixed(4 * SEGMENT));
        }
        assertThat(Collections.max(log.levels())).isLessThanOrEqualTo(2);
    }

    private static byte[] pack(byte[] data, LevelLog log) throws IOException {
        ByteArrayOutputStream packed = new ByteArrayOutputStream();
        try (AdaptiveZstdOutputStream out = AUTO.compressor(packed, 12, log)) {
            out.write(data);
        }
        return packed.toByteArray();
    }

    private static byte[] decode(byte[] packed) throws IOException {
        try (InputStream in = AUTO.decompressor(new ByteArrayInputStream(packed))) {
            return in.readAllBytes();
        }
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** Text-like data that compresses about threefold, with no two segments alike. */
    private static byte[] mixed(int size) {
        Random random = new Random(size);
        String[] words = {"caravan", "desert", "camel", "chunk", "parcel", "zstd", "level", "link", "oasis", "sand"};
        StringBuilder text = new StringBuilder(size + 16);
        while (text.length() < size) {
            text.append(words[random.nextInt(words.length)]).append(random.nextInt(1000)).append(random.nextBoolean() ? ' ' : '\n');
        }
        return text.substring(0, size).getBytes(StandardCharsets.US_ASCII);
    }
}
