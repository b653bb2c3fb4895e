package io.caravan.pack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class CodecRoundTripTest {

    private static byte[] sample() {
        byte[] random = new byte[300_000];
        new Random(7).nextBytes(random);
        byte[] text = "the quick brown caravan crosses the desert\n".repeat(20_000).getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[random.length + text.length];
        System.arraycopy(text, 0, all, 0, text.length);
        System.arraycopy(random, 0, all, text.length, random.length);
        return all;
    }

    private static byte[] compress(Codec codec, int level, byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = codec.compressor(bytes, level)) {
            out.write(data);
        }
        return bytes.toByteArray();
    }

    @ParameterizedTest
    @ValueSource(strings = {"zstd", "gzip", "bzip2", "xz", "lz4", "none", "auto"})
    void roundTripsAndIsDetectedFromItsSignature(String name) throws IOException {
        Codec codec = Codecs.byName(name);
        byte[] data = sample();
        byte[] compressed = compress(codec, codec.defaultLevel(), data);
        if (!name.equals("none")) {
            assertThat(compressed.length).isLessThan(data.length);
        }
        BufferedInputStream in = new BufferedInputStream(new ByteArrayInputStream(compressed));
        // auto writes zstd frames, read back as zstd
        assertThat(Codecs.detect(in).name()).isEqualTo(name.equals("auto") ? "zstd" : name);
        try (InputStream restored = Codecs.autoDecompress(new ByteArrayInputStream(compressed))) {
            assertThat(restored.readAllBytes()).isEqualTo(data);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"zstd", "gzip", "bzip2", "xz", "lz4"})
    void sameInputAndLevelGiveSameBytes(String name) throws IOException {
        Codec codec = Codecs.byName(name);
        assertThat(compress(codec, codec.minLevel(), sample())).isEqualTo(compress(codec, codec.minLevel(), sample()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"zstd", "gzip", "xz", "lz4"})
    void readsConcatenatedFramesAsOneStream(String name) throws IOException {
        Codec codec = Codecs.byName(name);
        byte[] a = compress(codec, codec.defaultLevel(), "first ".getBytes(StandardCharsets.UTF_8));
        byte[] b = compress(codec, codec.defaultLevel(), "second".getBytes(StandardCharsets.UTF_8));
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        try (InputStream in = codec.decompressor(new ByteArrayInputStream(both))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("first second");
        }
    }

    @Test
    void unknownCodecAndBadLevelAreExplained() {
        assertThatThrownBy(() -> Codecs.byName("rar")).hasMessageContaining("unknown codec 'rar'")
                .hasMessageContaining("zstd|gzip|bzip2|xz|lz4|none");
        assertThatThrownBy(() -> Codecs.level(Codecs.byName("gzip"), 12)).hasMessageContaining("gzip level 12 is out of range: use 1 to 9");
        assertThat(Codecs.byName("gz").name()).isEqualTo("gzip");
        assertThat(Codecs.byName("ZST").name()).isEqualTo("zstd");
    }
}
