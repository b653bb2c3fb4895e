package io.caravan.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.pack.DecoderMemory;
import org.junit.jupiter.api.Test;

/**
 * {@code caravan.receiver.decoder-memory}: by default half the heap over the extraction threads, at least
 * what Caravan's own streams need; a value that the extraction threads' decoders (and the pull's and the
 * pickup's) could not hold at once within three quarters of the heap stops the start, as does one below the floor.
 */
class DecoderMemoryWithinTheHeapTest {

    private static final long HEAP = Runtime.getRuntime().maxMemory();

    private static Settings settings(String value) {
        return SettingsOf.one("caravan.receiver.decoder-memory", value);
    }

    @Test
    void theDefaultIsHalfTheHeapOverTheExtractionThreads() {
        DecoderMemory memory = CaravanConfiguration.decoderMemory(settings(null), 8);
        assertThat(memory.bytes()).isEqualTo(Math.max(DecoderMemory.FLOOR, HEAP / 2 / 8 >> 20 << 20));
        assertThat(memory.setting()).isEqualTo("caravan.receiver.decoder-memory");
    }

    @Test
    void aValueTheThreadsCouldNotHoldAtOnceStopsTheStart() {
        long each = HEAP / 4;
        assertThatThrownBy(() -> CaravanConfiguration.decoderMemory(settings(String.valueOf(each)), 8))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("caravan.receiver.decoder-memory")
                .hasMessageContaining("caravan.receiver.extract-threads").hasMessageContaining("heap");
        assertThat(CaravanConfiguration.decoderMemory(settings(String.valueOf(each)), 1).bytes()).isEqualTo(each);
    }

    @Test
    void theFloorIsKeptWhateverTheThreads() {
        assertThat(CaravanConfiguration.decoderMemory(settings(null), 1000).bytes()).isEqualTo(DecoderMemory.FLOOR);
    }

    @Test
    void aValueBelowTheFloorStopsTheStart() {
        assertThatThrownBy(() -> CaravanConfiguration.decoderMemory(settings("1MiB"), 8))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 9MiB");
    }
}
