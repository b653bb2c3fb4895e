package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The receiver's default bound on connections: half of the descriptors it may open, lowered to what a quarter of
 * its heap holds at 16 KiB a connection, between 16 and 10,000.
 */
class ConnectionLimitDefaultTest {

    private static final long MIB = 1L << 20;

    @Test
    void aSmallHeapLowersTheBoundTheDescriptorsGive() {
        assertThat(ConnectionLimit.forLimitAndHeap(20_000, 160 * MIB)).isEqualTo(2_560);
        assertThat(ConnectionLimit.forLimitAndHeap(20_000, 64 * MIB)).isEqualTo(1_024);
    }

    @Test
    void aLargeHeapLeavesTheDescriptorsBound() {
        assertThat(ConnectionLimit.forLimitAndHeap(1_024, 1024 * MIB)).isEqualTo(512);
        assertThat(ConnectionLimit.forLimitAndHeap(20_000, 16 * 1024 * MIB)).isEqualTo(10_000);
        assertThat(ConnectionLimit.forLimitAndHeap(-1, 16 * 1024 * MIB)).isEqualTo(10_000);
    }

    @Test
    void neverBelowTheFewest() {
        assertThat(ConnectionLimit.forLimitAndHeap(20_000, MIB)).isEqualTo(16);
    }
}
