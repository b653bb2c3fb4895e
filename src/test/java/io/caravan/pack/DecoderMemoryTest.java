package io.caravan.pack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.CraftedTar;
import io.caravan.WideWindowStreams;
import io.caravan.unpack.DecoderLimitException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import org.junit.jupiter.api.Test;

/**
 * Each decoder holds at most its {@link DecoderMemory}: a stream whose header asks for a larger xz dictionary
 * or zstd window is refused before the memory is taken, naming the codec, what it asks, the limit and how to
 * compress within it; one within the limit is decoded.
 */
class DecoderMemoryTest {

    private static final DecoderMemory LIMIT = new DecoderMemory(32L << 20, "caravan.receiver.decoder-memory");

    /** Made once: a tar made twice may differ in its entries' times. */
    private static final byte[] TAR = made();

    private static byte[] made() {
        try {
            return new CraftedTar().dir("w").file("w/a.txt").bytes();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] tar() {
        return TAR.clone();
    }

    private static byte[] decode(byte[] stream, DecoderMemory memory) throws Exception {
        try (InputStream in = Codecs.autoDecompress(new ByteArrayInputStream(stream), memory)) {
            return in.readAllBytes();
        }
    }

    @Test
    void anXzDictionaryAboveTheLimitIsRefusedNamingItAndAPresetThatFits() throws Exception {
        byte[] stream = WideWindowStreams.xz(tar(), 31);
        assertThatThrownBy(() -> decode(stream, LIMIT)).isInstanceOf(DecoderLimitException.class)
                .hasMessageContaining("xz stream asks for 192 MiB").hasMessageContaining("limit of 32 MiB")
                .hasMessageContaining("xz -7 or lower").hasMessageContaining("caravan.receiver.decoder-memory");
        // a dictionary above the limit of 32 MiB is decoded under a larger one (48 MiB, not 192: the test's heap is shared)
        assertThatThrownBy(() -> decode(WideWindowStreams.xz(tar(), 27), LIMIT)).isInstanceOf(DecoderLimitException.class);
        assertThat(decode(WideWindowStreams.xz(tar(), 27), new DecoderMemory(64L << 20, null))).isEqualTo(tar());
        assertThat(decode(WideWindowStreams.xz(tar(), 25), LIMIT)).isEqualTo(tar());
    }

    @Test
    void aZstdWindowAboveTheLimitIsRefusedNamingIt() throws Exception {
        byte[] stream = WideWindowStreams.zstd(tar(), 27);
        assertThatThrownBy(() -> decode(stream, LIMIT)).isInstanceOf(DecoderLimitException.class)
                .hasMessageContaining("zstd stream asks for a window of 128 MiB").hasMessageContaining("limit of 32 MiB")
                .hasMessageContaining("wlog=25");
        assertThat(decode(WideWindowStreams.zstd(tar(), 25), LIMIT)).isEqualTo(tar());
    }

    /** The floor decodes what Caravan writes at every level of zstd and lz4, and xz up to its default level. */
    @Test
    void theFloorDecodesCaravansOwnStreams() throws Exception {
        DecoderMemory floor = new DecoderMemory(DecoderMemory.FLOOR, null);
        byte[] content = new byte[3 << 20];
        new java.util.Random(3).nextBytes(content);
        for (String[] codecLevel : new String[][] {{"zstd", "19"}, {"lz4", "12"}, {"xz", "6"}, {"gzip", "9"}, {"bzip2", "9"}}) {
            Codec codec = Codecs.byName(codecLevel[0]);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (OutputStream compressor = codec.compressor(out, Integer.parseInt(codecLevel[1]))) {
                compressor.write(content);
            }
            assertThat(decode(out.toByteArray(), floor)).as(codecLevel[0]).isEqualTo(content);
        }
    }
}
