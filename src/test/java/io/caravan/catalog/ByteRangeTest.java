package io.caravan.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.session.RequestRejectedException;
import org.junit.jupiter.api.Test;

/**
 * A {@code Range} header is read as RFC 9110 writes it: positions are digits only. Anything else is a range
 * this server does not understand, answered with the whole file, as for another unit or several ranges;
 * a range that starts past the end is 416.
 */
class ByteRangeTest {

    @Test
    void theThreeFormsOfOneRange() {
        assertThat(ByteRange.parse("bytes=10-19", 100)).isEqualTo(new ByteRange(10, 10, 100));
        assertThat(ByteRange.parse("bytes=90-", 100)).isEqualTo(new ByteRange(90, 10, 100));
        assertThat(ByteRange.parse("bytes=-5", 100)).isEqualTo(new ByteRange(95, 5, 100));
        assertThat(ByteRange.parse("bytes=10-1000", 100)).isEqualTo(new ByteRange(10, 90, 100));
    }

    @Test
    void positionsThatAreNotDigitsOnlyAreNotARange() {
        assertThat(ByteRange.parse("bytes=+1-+9", 100)).isNull();
        assertThat(ByteRange.parse("bytes=1-+9", 100)).isNull();
        assertThat(ByteRange.parse("bytes=-+5", 100)).isNull();
        assertThat(ByteRange.parse("bytes=0x1-9", 100)).isNull();
        assertThat(ByteRange.parse("bytes=1-2,5-6", 100)).isNull();
        assertThat(ByteRange.parse("items=1-2", 100)).isNull();
    }

    @Test
    void aRangeFromPastTheEndIs416() {
        assertThatThrownBy(() -> ByteRange.parse("bytes=100-", 100)).isInstanceOf(RequestRejectedException.class)
                .hasMessageContaining("100 bytes");
    }
}
