package io.caravan.progress;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The summary counts every warning, but keeps only the first ones' text: an archive of a million entries, each
 * with a setuid bit (a warning each), made a million strings held until the command ended.
 */
class TransferStatsTest {

    @Test
    void everyWarningIsCountedAndOnlyTheFirstOnesAreKept() {
        TransferStats stats = new TransferStats();
        for (int i = 0; i < 100_000; i++) {
            stats.warning("entry 'f" + i + "': setuid/setgid bits removed");
        }

        assertThat(stats.warnings()).hasSize(TransferStats.KEPT_WARNINGS).first().asString().contains("'f0'");
        assertThat(stats.warningCount()).isEqualTo(100_000);
        assertThat(stats.summary("unpacked")).endsWith("100000 warnings");
    }
}
