package io.caravan.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.util.DirectMemoryBudget;
import org.junit.jupiter.api.Test;

/**
 * Kept chunk bodies wait for the chunk before them, whose upload needs room in the same direct-memory
 * budget: the read-ahead never holds so much that one largest upload body could not fit beside it (with
 * a 5 MiB budget, 4 MiB chunks and the default 16 MiB read-ahead, a kept later chunk kept the earlier one
 * out for good: every attempt answered 503).
 */
class ReadAheadWithinDirectMemoryTest {

    private static Settings settings(String readAhead) {
        return SettingsOf.one("caravan.receiver.read-ahead", readAhead);
    }

    @Test
    void aBudgetOfOneLargestUploadKeepsNoBodies() {
        DirectMemoryBudget budget = new DirectMemoryBudget(DirectMemoryBudget.SETTING, 5L << 20);
        assertThat(CaravanConfiguration.readAhead(settings(null), budget, 5L << 20)).isZero();
    }

    @Test
    void theReadAheadIsLoweredToWhatTheLargestUploadLeaves() {
        DirectMemoryBudget budget = new DirectMemoryBudget(DirectMemoryBudget.SETTING, 40L << 20);
        assertThat(CaravanConfiguration.readAhead(settings("64MiB"), budget, 33L << 20)).isEqualTo(7L << 20);
    }

    @Test
    void theDefaultsKeepTheirSixteenMebibytes() {
        DirectMemoryBudget budget = new DirectMemoryBudget(DirectMemoryBudget.SETTING, 112L << 20);
        assertThat(CaravanConfiguration.readAhead(settings(null), budget, 33L << 20)).isEqualTo(16L << 20);
    }
}
