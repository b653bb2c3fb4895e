package io.caravan.pack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompressibilityTest {

    @TempDir
    Path dir;

    private Path random(String name, int size) throws Exception {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        return Files.write(dir.resolve(name), data);
    }

    @Test
    void randomDataIsNotWorthCompressing() throws Exception {
        assertThat(Compressibility.worthCompressing(random("big.bin", 5 << 20))).isFalse();
        assertThat(Compressibility.worthCompressing(random("small.bin", 50_000))).isFalse();
    }

    @Test
    void textIsWorthCompressing() throws Exception {
        StringBuilder text = new StringBuilder();
        for (int i = 0; text.length() < 3 << 20; i++) {
            text.append("line ").append(i).append(": the quick brown fox jumps over the lazy dog\n");
        }
        Path file = Files.writeString(dir.resolve("log.txt"), text, StandardCharsets.UTF_8);

        assertThat(Compressibility.worthCompressing(file)).isTrue();
    }

    @Test
    void aFileThatOnlyCompressesInItsMiddleIsSampledThere() throws Exception {
        byte[] data = new byte[3 << 20];
        new Random(1).nextBytes(data);
        java.util.Arrays.fill(data, data.length / 2 - (1 << 19), data.length / 2 + (1 << 19), (byte) 'a');
        Path file = Files.write(dir.resolve("mixed.bin"), data);

        // start and end samples incompressible, the middle one all 'a': together well under 95 %
        assertThat(Compressibility.worthCompressing(file)).isTrue();
    }

    @Test
    void anEmptyFileCountsAsCompressible() throws Exception {
        assertThat(Compressibility.worthCompressing(Files.createFile(dir.resolve("empty")))).isTrue();
    }
}
