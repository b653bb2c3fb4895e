package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The wrong tokens one client address may send: {@link WrongTokenLimit#BURST} at once, then one each
 * {@link WrongTokenLimit#EVERY}; past that its requests are refused for the time until it may try again,
 * whatever they hold, while other addresses are not touched. An IPv6 client is its /64.
 */
class WrongTokenLimitTest {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final WrongTokenLimit limit = new WrongTokenLimit(WrongTokenLimit.BURST, nanos::get, 100);

    private static InetAddress address(String text) throws Exception {
        return InetAddress.getByName(text);
    }

    private void fail(InetAddress client, int times) {
        for (int i = 0; i < times; i++) {
            assertThat(limit.refusedFor(client)).as("wrong token %d", i + 1).isZero();
            limit.wrong(client);
        }
    }

    @Test
    void anAddressPastItsBurstIsRefusedUntilOneMoreTryIsDue() throws Exception {
        InetAddress client = address("10.0.0.1");
        fail(client, WrongTokenLimit.BURST);

        Duration wait = limit.refusedFor(client);
        assertThat(wait).isPositive().isLessThanOrEqualTo(WrongTokenLimit.EVERY);
        nanos.addAndGet(WrongTokenLimit.EVERY.toNanos() - 1);
        assertThat(limit.refusedFor(client)).isPositive();
        nanos.addAndGet(1);
        assertThat(limit.refusedFor(client)).isZero();
        limit.wrong(client);
        assertThat(limit.refusedFor(client)).isEqualTo(WrongTokenLimit.EVERY);
    }

    @Test
    void otherAddressesAreNotTouched() throws Exception {
        fail(address("10.0.0.1"), WrongTokenLimit.BURST);
        assertThat(limit.refusedFor(address("10.0.0.1"))).isPositive();
        assertThat(limit.refusedFor(address("10.0.0.2"))).isZero();
        assertThat(limit.refusedFor(address("::1"))).isZero();
    }

    @Test
    void anIpv6ClientIsItsSlash64() throws Exception {
        for (int i = 0; i < WrongTokenLimit.BURST; i++) {
            InetAddress client = address("2001:db8:1:2::" + Integer.toHexString(i + 1));
            assertThat(limit.refusedFor(client)).isZero();
            limit.wrong(client);
        }
        assertThat(limit.refusedFor(address("2001:db8:1:2:ffff::9"))).isPositive();
        assertThat(limit.refusedFor(address("2001:db8:1:3::1"))).isZero();
    }

    /** IPv4 clients of a dual-stack listener, seen as ::ffff:a.b.c.d, are each their own address, as plain IPv4 ones. */
    @Test
    void ipv4MappedAddressesAreTheirIpv4Address() throws Exception {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = 10;
        mapped[15] = 1;
        InetAddress first = java.net.Inet6Address.getByAddress(null, mapped, -1);
        for (int i = 0; i < WrongTokenLimit.BURST; i++) {
            limit.wrong(first);
        }
        assertThat(limit.refusedFor(first)).isPositive();
        assertThat(limit.refusedFor(address("10.0.0.1"))).as("the same client written as IPv4").isPositive();
        mapped[15] = 2;
        assertThat(limit.refusedFor(java.net.Inet6Address.getByAddress(null, mapped, -1))).as("another IPv4 client").isZero();
    }

    /**
     * Wrong tokens from many addresses, one each (a client with many addresses): past ten times the burst all
     * together, every address that sent one is refused until one more try of all is due; an address that never
     * sent a wrong token is served.
     */
    @Test
    void wrongTokensFromManyAddressesSlowEveryAddressThatSentOne() throws Exception {
        WrongTokenLimit many = new WrongTokenLimit(WrongTokenLimit.BURST, nanos::get, 1000);
        int all = 10 * WrongTokenLimit.BURST;
        for (int i = 0; i < all; i++) {
            InetAddress client = address("10.3." + (i / 250) + "." + (i % 250));
            assertThat(many.refusedFor(client)).as("address %d", i).isZero();
            many.wrong(client);
        }
        InetAddress first = address("10.3.0.0");
        assertThat(many.refusedFor(first)).isPositive().isLessThanOrEqualTo(WrongTokenLimit.ALL_EVERY);
        assertThat(many.refusedFor(address("10.9.9.9"))).as("an address that never sent a wrong token").isZero();
        assertThat(many.message(new java.net.InetSocketAddress(first, 1), 1)).contains("many addresses", "10.3.0.0");
        nanos.addAndGet(WrongTokenLimit.ALL_EVERY.toNanos());
        assertThat(many.refusedFor(first)).isZero();
    }

    /** Tries made at the same time are counted before their tokens are compared: exactly the burst passes. */
    @Test
    void triesAtTheSameTimeCannotPassTheBurstTogether() throws Exception {
        java.net.InetSocketAddress client = new java.net.InetSocketAddress(address("10.4.0.1"), 1);
        java.util.concurrent.atomic.AtomicInteger passed = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(16);
        try {
            java.util.List<java.util.concurrent.Future<?>> tries = new java.util.ArrayList<>();
            for (int i = 0; i < 200; i++) {
                tries.add(pool.submit(() -> {
                    if (limit.attempt(client).isZero()) {
                        passed.incrementAndGet();
                    }
                }));
            }
            for (java.util.concurrent.Future<?> done : tries) {
                done.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(passed.get()).isEqualTo(WrongTokenLimit.BURST);
        limit.right(client);
        assertThat(limit.attempt(client)).as("a right token's try given back").isZero();
    }

    @Test
    void aFullBudgetAgainIsForgottenAndTheAddressesKeptAreBounded() throws Exception {
        fail(address("10.0.0.1"), 3);
        nanos.addAndGet(WrongTokenLimit.EVERY.toNanos() * WrongTokenLimit.BURST);
        for (int i = 0; i < 300; i++) {
            limit.wrong(address("10.1." + (i / 250) + "." + (i % 250)));
        }
        assertThat(limit.kept()).isLessThanOrEqualTo(100);
    }

    @Test
    void whenMoreAddressesFailThanAreKeptTheNewestAreStillCounted() throws Exception {
        for (int i = 0; i < 150; i++) {
            limit.wrong(address("10.2." + (i / 250) + "." + (i % 250)));
        }
        InetAddress last = address("10.9.9.9");
        fail(last, WrongTokenLimit.BURST);
        assertThat(limit.refusedFor(last)).isPositive();
    }
}
