package io.caravan.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DataSizeTest {

    @Test
    void binaryAndDecimalUnits() {
        assertThat(DataSize.parse("8MiB")).isEqualTo(8L << 20);
        assertThat(DataSize.parse("64KiB")).isEqualTo(65536);
        assertThat(DataSize.parse("50MB")).isEqualTo(50_000_000);
        assertThat(DataSize.parse("8M")).isEqualTo(8L << 20);
        assertThat(DataSize.parse("1g")).isEqualTo(1L << 30);
        assertThat(DataSize.parse("1234")).isEqualTo(1234);
        assertThat(DataSize.parse(" 2 GiB ")).isEqualTo(2L << 30);
    }

    @Test
    void rejectsWhatIsNotASize() {
        assertThatThrownBy(() -> DataSize.parse("lots")).hasMessageContaining("'lots' is not a size");
        assertThatThrownBy(() -> DataSize.parse("5i")).hasMessageContaining("'i' needs a unit");
        assertThatThrownBy(() -> DataSize.parse("-5MB")).hasMessageContaining("not a size");
    }

    @Test
    void formatsWithBinaryUnits() {
        assertThat(DataSize.format(512)).isEqualTo("512 B");
        assertThat(DataSize.format(8L << 20)).isEqualTo("8.0 MiB");
        assertThat(DataSize.rate(100_000_000, 1_000_000_000)).isEqualTo("100.0 MB/s");
    }
}
