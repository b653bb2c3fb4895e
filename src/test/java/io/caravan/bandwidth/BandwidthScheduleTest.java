package io.caravan.bandwidth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalTime;
import org.junit.jupiter.api.Test;

class BandwidthScheduleTest {

    @Test
    void aSingleRateHoldsAllDay() {
        BandwidthSchedule schedule = BandwidthSchedule.parse("50MiB");
        assertThat(schedule.rateAt(LocalTime.of(3, 0))).isEqualTo(50L << 20);
        assertThat(schedule.rateAt(LocalTime.of(23, 59))).isEqualTo(50L << 20);
    }

    @Test
    void offAndBlankMeanNoLimit() {
        assertThat(BandwidthSchedule.parse("off").rateAt(LocalTime.NOON)).isEqualTo(BandwidthSchedule.UNLIMITED);
        assertThat(BandwidthSchedule.parse(" ").limited()).isFalse();
        assertThat(BandwidthSchedule.parse(null).limited()).isFalse();
        assertThat(BandwidthSchedule.parse("10MiB").limited()).isTrue();
    }

    @Test
    void aTimetableAppliesEachRateFromItsTimeAndWrapsPastMidnight() {
        BandwidthSchedule schedule = BandwidthSchedule.parse("08:00,10MiB 19:00,off");
        assertThat(schedule.rateAt(LocalTime.of(7, 59))).isEqualTo(BandwidthSchedule.UNLIMITED);
        assertThat(schedule.rateAt(LocalTime.of(8, 0))).isEqualTo(10L << 20);
        assertThat(schedule.rateAt(LocalTime.of(18, 59, 59))).isEqualTo(10L << 20);
        assertThat(schedule.rateAt(LocalTime.of(19, 0))).isEqualTo(BandwidthSchedule.UNLIMITED);
        assertThat(schedule.limited()).isTrue();
    }

    @Test
    void entriesMaySeparateByCommaOrSpaceAndComeInAnyOrder() {
        BandwidthSchedule schedule = BandwidthSchedule.parse("19:00,1M 08:30,512k");
        assertThat(schedule.rateAt(LocalTime.of(9, 0))).isEqualTo(512L * 1024);
        assertThat(schedule.rateAt(LocalTime.of(1, 0))).isEqualTo(1L << 20);
    }

    @Test
    void refusesWhatItCannotRead() {
        assertThatThrownBy(() -> BandwidthSchedule.parse("fast")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fast").hasMessageContaining("08:00,10MiB");
        assertThatThrownBy(() -> BandwidthSchedule.parse("25:00,1MiB")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BandwidthSchedule.parse("08:00,0")).isInstanceOf(IllegalArgumentException.class);
    }
}
