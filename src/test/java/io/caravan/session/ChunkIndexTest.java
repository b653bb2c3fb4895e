package io.caravan.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Chunk indexes as request paths give them: one spelling each, and a refusal that says what is wrong. */
class ChunkIndexTest {

    @Test
    void decimalNumbersWithoutSignOrLeadingZerosAreIndexes() {
        assertThat(ChunkIndex.parse("0")).isZero();
        assertThat(ChunkIndex.parse("12")).isEqualTo(12);
        assertThat(ChunkIndex.parse("2147483647")).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void otherSpellingsAreRefusedAsSuch() {
        for (String text : new String[] {"-1", "+1", "01", "1e3", "", " 1"}) {
            assertThatThrownBy(() -> ChunkIndex.parse(text)).as(text).isInstanceOf(RequestRejectedException.class)
                    .hasMessageContaining("no sign, no leading zeros");
        }
    }

    /** A number past the largest index is said to be one, not "not a number". */
    @Test
    void aNumberPastTheLargestIndexIsSaidToBeTooLarge() {
        for (String text : new String[] {"2147483648", "99999999999", "123456789012345678901234567890"}) {
            assertThatThrownBy(() -> ChunkIndex.parse(text)).as(text).isInstanceOf(RequestRejectedException.class)
                    .hasMessageContaining("larger than any chunk index").hasMessageContaining("2147483647")
                    .hasMessageNotContaining("is not a number");
        }
    }
}
