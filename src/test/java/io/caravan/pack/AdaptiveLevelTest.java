package io.caravan.pack;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The level controller, fed with throughputs as a sender measures them. */
class AdaptiveLevelTest {

    @Test
    void raisesTheLevelWhileTheLinkIsTheBound() {
        AdaptiveLevel levels = new AdaptiveLevel(AdaptiveLevel.FASTEST, 12, 3);
        // the compressor could make 200 MB/s, a 200 Mbit/s link takes 25 MB/s
        for (int i = 0; i < 5; i++) {
            levels.observe(200e6, 25e6);
        }
        assertThat(levels.level()).isEqualTo(8);
        for (int i = 0; i < 20; i++) {
            levels.observe(200e6, 25e6);
        }
        assertThat(levels.level()).as("never above the highest level").isEqualTo(12);
    }

    @Test
    void lowersTheLevelWhileTheCompressorIsTheBound() {
        AdaptiveLevel levels = new AdaptiveLevel(AdaptiveLevel.FASTEST, 12, 3);
        // loopback: the link takes all the compressor makes, the compressor never waits on it
        for (int i = 0; i < 3; i++) {
            levels.observe(300e6, 300e6);
        }
        assertThat(levels.level()).isZero();
        for (int i = 0; i < 20; i++) {
            levels.observe(300e6, 300e6);
        }
        assertThat(levels.level()).as("down to zstd --fast=5, no lower").isEqualTo(AdaptiveLevel.FASTEST);
    }

    @Test
    void holdsTheLevelWhileBothKeepPace() {
        AdaptiveLevel levels = new AdaptiveLevel(AdaptiveLevel.FASTEST, 12, 5);
        for (int i = 0; i < 10; i++) {
            levels.observe(112e6, 100e6);
        }
        assertThat(levels.level()).isEqualTo(5);
    }

    @Test
    void climbsUntilTheCompressorBecomesTheBoundAndStaysThere() {
        AdaptiveLevel levels = new AdaptiveLevel(AdaptiveLevel.FASTEST, 19, 3);
        double link = 25e6;
        for (int i = 0; i < 40; i++) {
            double compressor = compressorSpeed(levels.level());
            levels.observe(compressor, Math.min(link, compressor));
        }
        // 28 MB/s at level 11 is within 25 % of the link, 21 MB/s at level 12 falls short of it
        assertThat(levels.level()).isEqualTo(11);
        for (int i = 0; i < 10; i++) {
            double compressor = compressorSpeed(levels.level());
            assertThat(levels.observe(compressor, Math.min(link, compressor))).isEqualTo(11);
        }
    }

    @Test
    void measurementsWithoutOutputChangeNothing() {
        AdaptiveLevel levels = new AdaptiveLevel(1, 12, 4);
        levels.observe(0, 0);
        levels.observe(Double.NaN, 10e6);
        assertThat(levels.level()).isEqualTo(4);
    }

    @Test
    void aReplayedLevelIsWhereTheAdaptationGoesOn() {
        AdaptiveLevel levels = new AdaptiveLevel(1, 12, 3);
        levels.reset(9);
        levels.observe(200e6, 25e6);
        assertThat(levels.level()).isEqualTo(10);
        levels.reset(40);
        assertThat(levels.level()).isEqualTo(12);
    }

    /** A compressor three quarters as fast at each level up: 500 MB/s at level 1. */
    private static double compressorSpeed(int level) {
        return 500e6 * Math.pow(0.75, level - 1);
    }

    @Test
    void chunksWaitingForTheLinkRaiseTheLevel() {
        AdaptiveLevel levels = new AdaptiveLevel(AdaptiveLevel.FASTEST, 9, 3);
        // 200 ms of a full upload slot for each 5 ms the uploads waited for the next chunk
        levels.follow(200_000_000, 5_000_000);
        assertThat(levels.level()).as("one stretch may be a burst of slow answers").isEqualTo(3);
        for (int i = 0; i < 4; i++) {
            levels.follow(200_000_000, 5_000_000);
        }
        assertThat(levels.level()).isEqualTo(7);
        for (int i = 0; i < 10; i++) {
            levels.follow(200_000_000, 5_000_000);
        }
        assertThat(levels.level()).isEqualTo(9);
    }

    @Test
    void theLinkWaitingForChunksLowersTheLevel() {
        AdaptiveLevel levels = new AdaptiveLevel(AdaptiveLevel.FASTEST, 9, 3);
        for (int i = 0; i < 3; i++) {
            levels.follow(1_000_000, 40_000_000);
        }
        assertThat(levels.level()).isZero();
        for (int i = 0; i < 20; i++) {
            levels.follow(0, 40_000_000);
        }
        assertThat(levels.level()).isEqualTo(AdaptiveLevel.FASTEST);
    }

    @Test
    void waitsOnBothSidesOrNoneHoldTheLevel() {
        AdaptiveLevel levels = new AdaptiveLevel(AdaptiveLevel.FASTEST, 9, 5);
        levels.follow(30_000_000, 20_000_000);
        levels.follow(0, 0);
        assertThat(levels.level()).isEqualTo(5);
    }

    @Test
    void chunksWaitingForAReceiverWhileTheWireIsMostlyIdleLowerTheLevelToTheLightOne() {
        AdaptiveLevel levels = new AdaptiveLevel(AdaptiveLevel.FASTEST, 9, 5);
        // the uploads wait, but their bodies kept the wire busy a tenth of the time: the answers came late
        for (int i = 0; i < 10; i++) {
            levels.follow(200_000_000, 5_000_000, 0.1, 0.3);
        }
        assertThat(levels.level()).isEqualTo(AdaptiveLevel.LIGHT);
        levels.follow(1_000_000, 40_000_000, 0.1, 0.3);
        assertThat(levels.level()).as("the compressor the bound: lower still").isEqualTo(AdaptiveLevel.LIGHT - 1);
        levels.follow(200_000_000, 5_000_000, 0.1, 0.3);
        levels.follow(200_000_000, 5_000_000, 0.1, 0.3);
        assertThat(levels.level()).as("below the light level: held, not raised").isEqualTo(AdaptiveLevel.LIGHT - 1);
    }

    @Test
    void chunksWaitingForABusyWireRaiseTheLevel() {
        AdaptiveLevel levels = new AdaptiveLevel(AdaptiveLevel.FASTEST, 9, 3);
        for (int i = 0; i < 4; i++) {
            levels.follow(200_000_000, 5_000_000, 0.95, 0.3);
        }
        assertThat(levels.level()).as("the first stretch may be a burst of slow answers").isEqualTo(6);
        // no body timed (chunks shipped some other way, or a receiver that does not say): as before
        levels.follow(200_000_000, 5_000_000, Double.NaN, Double.NaN);
        levels.follow(200_000_000, 5_000_000, Double.NaN, Double.NaN);
        assertThat(levels.level()).isEqualTo(8);
    }

    @Test
    void chunksWaitingForABusyWireWhileTheCpuHasNoneToSpareHoldTheLevel() {
        AdaptiveLevel levels = new AdaptiveLevel(AdaptiveLevel.FASTEST, 9, 3);
        for (int i = 0; i < 6; i++) {
            levels.follow(200_000_000, 5_000_000, 0.95, 0.97);
        }
        assertThat(levels.level()).as("the CPU is the bound already").isEqualTo(3);
        levels.follow(1_000_000, 40_000_000, 0.95, 0.97);
        assertThat(levels.level()).as("the compressor the bound: lower").isEqualTo(2);
    }

    @Test
    void chunksWaitingForAReceiverWhoseWireBringsBodiesFarFasterThanTheyArePackedLowerTheLevel() {
        AdaptiveLevel levels = new AdaptiveLevel(AdaptiveLevel.FASTEST, 9, 4);
        // on loopback the wire is busy most of the time (bodies of several uploads overlap) but brings them at
        // ten times the compressor's output: the receiver is the bound
        for (int i = 0; i < 5; i++) {
            levels.follow(200_000_000, 5_000_000, 0.9, 10.0, 0.95);
        }
        assertThat(levels.level()).isEqualTo(AdaptiveLevel.LIGHT);
        levels.follow(200_000_000, 5_000_000, 0.9, 0.5, 0.3);
        levels.follow(200_000_000, 5_000_000, 0.9, 0.5, 0.3);
        assertThat(levels.level()).as("a wire slower than the compressor, CPU to spare: up").isEqualTo(AdaptiveLevel.LIGHT + 1);
    }
}
