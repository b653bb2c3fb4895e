package io.caravan.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bytes written from a position land exactly there, in pieces of any size, whether they go around the
 * page cache or through it; nothing before or after the written range changes.
 */
class PositionedDirectWriterTest {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(ints = {1, 4095, 4096, 1 << 20, (1 << 20) + 4097, 3_000_001})
    void bytesLandAtTheirPositionAndNothingElseChanges(int length) throws Exception {
        byte[] before = new byte[16 << 20];
        Arrays.fill(before, (byte) 7);
        Path file = tmp.resolve("data");
        Files.write(file, before);
        byte[] bytes = new byte[length];
        new Random(length).nextBytes(bytes);
        long position = 8192;

        for (int buffers : new int[] {0, 1}) {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE);
                 PositionedDirectWriter out = new PositionedDirectWriter(file, channel, position, new AlignedBuffers(buffers))) {
                for (int at = 0; at < length; at += 77_777) {
                    out.write(ByteBuffer.wrap(bytes, at, Math.min(77_777, length - at)));
                }
            }
            byte[] after = Files.readAllBytes(file);
            assertThat(after).hasSize(before.length);
            assertThat(Arrays.copyOfRange(after, (int) position, (int) position + length)).isEqualTo(bytes);
            assertThat(Arrays.copyOfRange(after, 0, (int) position)).as("the bytes before").isEqualTo(sevens((int) position));
            assertThat(Arrays.copyOfRange(after, (int) position + length, after.length)).as("the bytes after")
                    .isEqualTo(sevens(after.length - (int) position - length));
            Files.write(file, before);
        }
    }

    /** {@code length} bytes of 7, what the file held before: compared whole, not byte by byte as a set. */
    private static byte[] sevens(int length) {
        byte[] sevens = new byte[length];
        Arrays.fill(sevens, (byte) 7);
        return sevens;
    }

    @Test
    void anUnalignedPositionGoesThroughThePageCache() throws Exception {
        Path file = tmp.resolve("data");
        Files.write(file, new byte[10_000]);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE);
             PositionedDirectWriter out = new PositionedDirectWriter(file, channel, 123, new AlignedBuffers(1))) {
            out.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        }
        byte[] after = Files.readAllBytes(file);
        assertThat(Arrays.copyOfRange(after, 123, 126)).containsExactly(1, 2, 3);
        assertThat(after).hasSize(10_000);
    }
}
