package io.caravan.receiver;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * How many wrong bearer tokens (or console logins) one client address may send, so that nobody can try
 * tokens at the speed of the network: a burst ({@link #BURST} by default) at once, then one each {@link #EVERY}. An address past
 * that is {@link #refusedFor refused} until its next try is due, whatever its requests hold: a refused
 * request's token is never compared, so a right guess among refused ones tells nothing, and a client that
 * keeps failing learns nothing faster than one try each {@link #EVERY}. Requests with the right token cost
 * nothing, and addresses that never sent a wrong one are not touched. An IPv6 client counts as its /64 (the block one
 * machine is usually given), so changing addresses within it does not give new tries.
 * <p>
 * Wrong tokens from many addresses are bounded too: all addresses together may send ten times the burst at once,
 * then one each {@link #ALL_EVERY}; past that, every address that has sent a wrong token (of those kept) is refused
 * until the next try is due, so a client with many addresses gets one try from each new one and then no more than
 * that shared pace. Clients that never sent a wrong token are served all along.
 * <p>
 * Memory is bounded: at most {@code maxAddresses} addresses are kept, the one that failed or asked longest ago
 * dropped first; a dropped address is new again (one more try from it).
 * Safe from any thread.
 */
public final class WrongTokenLimit {

    /** The wrong tokens an address may send at once by default ({@code caravan.receiver.wrong-token-burst}). */
    public static final int BURST = 30;
    /** How often one more wrong token is allowed once the {@link #BURST} is used. */
    public static final Duration EVERY = Duration.ofSeconds(2);
    /** How often one more wrong token is allowed from all addresses together once ten times the burst is used. */
    public static final Duration ALL_EVERY = Duration.ofMillis(100);
    /** The {@code error} of the JSON answer (429) to a request refused by the limit. */
    public static final String CODE = "too_many_wrong_tokens";
    /** The addresses kept by default. */
    static final int MAX_ADDRESSES = 10_000;

    private static final long EVERY_NANOS = EVERY.toNanos();
    private static final long ALL_EVERY_NANOS = ALL_EVERY.toNanos();

    private final int burst;
    /** How far ahead of now an address's whole budget may lie before it is refused. */
    private final long slackNanos;
    /** How far ahead of now the budget of all addresses together may lie before those that failed are refused. */
    private final long allSlackNanos;
    /** The time the budget of all addresses together is whole again. */
    private long allWholeAt = Long.MIN_VALUE;
    private final LongSupplier nanos;
    /** Per address: the time (of {@link #nanos}) its budget is whole again; the address failing longest ago first. */
    private final Map<String, Long> wholeAt;

    /**
     * A listener's limit of {@code burst} wrong tokens at once per address: the system's monotonic clock,
     * {@value #MAX_ADDRESSES} addresses kept.
     */
    public WrongTokenLimit(int burst) {
        this(burst, System::nanoTime, MAX_ADDRESSES);
    }

    /** A limit of {@code burst} timed by {@code nanos} (a monotonic clock) that keeps at most {@code maxAddresses} addresses. */
    WrongTokenLimit(int burst, LongSupplier nanos, int maxAddresses) {
        if (burst < 1) {
            throw new IllegalArgumentException("caravan.receiver.wrong-token-burst must be 1 or more, not " + burst);
        }
        this.burst = burst;
        this.slackNanos = (burst - 1) * EVERY_NANOS;
        this.allSlackNanos = (10L * burst - 1) * ALL_EVERY_NANOS;
        this.nanos = nanos;
        this.wholeAt = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
                return size() > maxAddresses;
            }
        };
    }

    /** How long requests of the client at {@code client} are refused from now; zero when it may try. */
    public synchronized Duration refusedFor(InetAddress client) {
        Long whole = wholeAt.get(key(client));
        if (whole == null) {
            return Duration.ZERO;
        }
        long now = nanos.getAsLong();
        long own = whole - now - slackNanos;
        long all = allWholeAt == Long.MIN_VALUE ? 0 : allWholeAt - now - allSlackNanos;
        return Duration.ofNanos(Math.max(0, Math.max(own, all)));
    }

    /** The client at {@code client} sent a wrong token (or none where one is needed). */
    public synchronized void wrong(InetAddress client) {
        String key = key(client);
        long now = nanos.getAsLong();
        Long whole = wholeAt.remove(key); // put again: the newest
        wholeAt.put(key, Math.max(whole == null ? now : whole, now) + EVERY_NANOS);
        allWholeAt = Math.max(allWholeAt, now) + ALL_EVERY_NANOS;
    }

    /**
     * For a check whose token is compared later than asked (a console login): zero when the client at {@code remote}
     * may try, its try then counted as a wrong token at once, so that tries made at the same time cannot pass the
     * limit together; {@link #right} gives it back when the token was right. Else how long it is refused.
     */
    public synchronized Duration attempt(SocketAddress remote) {
        InetAddress client = address(remote);
        if (client == null) {
            return Duration.ZERO;
        }
        Duration wait = refusedFor(client);
        if (wait.isZero()) {
            wrong(client);
        }
        return wait;
    }

    /** The try {@link #attempt} counted for the client at {@code remote} had the right token: it is given back. */
    public synchronized void right(SocketAddress remote) {
        InetAddress client = address(remote);
        Long whole = client == null ? null : wholeAt.get(key(client));
        if (whole != null) {
            wholeAt.put(key(client), whole - EVERY_NANOS);
            allWholeAt -= ALL_EVERY_NANOS;
        }
    }

    /** Whether {@code client} is refused for its own wrong tokens, not only for those of all addresses together. */
    private synchronized boolean slowedItself(InetAddress client) {
        Long whole = wholeAt.get(key(client));
        return whole != null && whole - nanos.getAsLong() - slackNanos > 0;
    }

    /** {@link #refusedFor} of a connection's remote address; zero when it is not an IP address. */
    public Duration refusedFor(SocketAddress remote) {
        InetAddress client = address(remote);
        return client == null ? Duration.ZERO : refusedFor(client);
    }

    /** {@link #wrong} of a connection's remote address; nothing when it is not an IP address. */
    public void wrong(SocketAddress remote) {
        InetAddress client = address(remote);
        if (client != null) {
            wrong(client);
        }
    }

    /** A wait in whole seconds, rounded up, at least one ({@code Retry-After}). */
    public static long seconds(Duration wait) {
        return Math.max(1, (wait.toMillis() + 999) / 1000);
    }

    /** What a client refused for {@code seconds} is told. */
    public String message(SocketAddress remote, long seconds) {
        InetAddress client = address(remote);
        String who = client == null ? "this client" : client.getHostAddress();
        if (client == null || slowedItself(client)) {
            return "too many wrong tokens came from " + who + ": its requests are refused for the next " + seconds
                    + " s, whatever token they hold (an address may send " + burst + " wrong tokens at once, then one each "
                    + EVERY.toSeconds() + " s); check the token this client sends";
        }
        return "too many wrong tokens came from many addresses: those that sent one, " + who + " among them, are refused"
                + " for the next " + seconds + " s, whatever token their requests hold (all together may send " + 10L * burst
                + " at once, then ten a second); check the token this client sends";
    }

    /** How many addresses are kept now. */
    synchronized int kept() {
        return wholeAt.size();
    }

    private static InetAddress address(SocketAddress remote) {
        return remote instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }

    /** An IPv4 address whole (also written as an IPv4-mapped IPv6 one), an IPv6 one by its first 64 bits. */
    private static String key(InetAddress client) {
        byte[] bytes = client.getAddress();
        if (bytes.length == 16 && ipv4Mapped(bytes)) {
            return HexFormat.of().formatHex(bytes, 12, 16);
        }
        return HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, 8));
    }

    /** Whether an IPv6 address is {@code ::ffff:a.b.c.d}, an IPv4 client of a dual-stack listener. */
    private static boolean ipv4Mapped(byte[] bytes) {
        for (int i = 0; i < 10; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff;
    }
}
