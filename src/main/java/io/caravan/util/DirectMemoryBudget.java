package io.caravan.util;

import io.netty.util.internal.PlatformDependent;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A share of direct memory, sized by a setting: all that a receiver's upload bodies and answers may
 * hold together ({@value #SETTING}), or the answers' part of it ({@code caravan.receiver.answer-memory}).
 * Each holder reserves what it will hold before it takes any
 * and gives the same amount back exactly once, when it has let the memory go; a reservation that
 * would pass the limit is refused and changes nothing, so its request can be answered 503 {@code busy}
 * at once instead of waiting for memory that other requests hold. Safe for any number of threads.
 */
public final class DirectMemoryBudget {

    /** The name under which the receiver binds its budget in the Camel registry. */
    public static final String BEAN = "directMemory";
    /** The setting that sizes it. */
    public static final String SETTING = "caravan.receiver.direct-memory";
    /**
     * Direct memory left outside the budget: Netty's pooled arenas for socket reads (a 4 MiB chunk or more for
     * each of its arenas, two per core) and the aligned buffers of direct disk I/O (ten of 1 MiB). With 16 MiB
     * the budget's last body found no real direct memory left after its client was told to send.
     */
    public static final long OUTSIDE = 40L << 20;

    private final String setting;
    private final long limit;
    private final AtomicLong held = new AtomicLong();
    /** When (System.nanoTime) a reservation was last refused; {@link Long#MIN_VALUE}: never. */
    private volatile long lastRefused = Long.MIN_VALUE;

    /** A budget of {@code limit} bytes, configured as {@code setting} (named in messages). */
    public DirectMemoryBudget(String setting, long limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("property " + setting + "=" + limit + " is not valid: the receiver needs some");
        }
        this.setting = setting;
        this.limit = limit;
    }

    /**
     * The budget unless configured: this JVM's direct memory ({@code -XX:MaxDirectMemorySize}) less
     * {@link #OUTSIDE}, and at least half of it (88 MiB of the launcher's 128 MiB).
     */
    public static long defaultLimit() {
        long max = PlatformDependent.estimateMaxDirectMemory();
        return Math.max(max - OUTSIDE, max / 2);
    }

    /** Takes {@code bytes} of the budget when it has room for them; false (nothing taken) when not. */
    public boolean reserve(long bytes) {
        for (long now = held.get(); ; now = held.get()) {
            if (now + bytes > limit) {
                lastRefused = System.nanoTime();
                return false;
            }
            if (held.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    /** Gives back {@code bytes} taken by {@link #reserve}. */
    public void release(long bytes) {
        held.addAndGet(-bytes);
    }

    /** Whether a reservation was refused within the last {@code nanos} (someone may be waiting for room). */
    public boolean refusedWithin(long nanos) {
        long refused = lastRefused;
        return refused != Long.MIN_VALUE && System.nanoTime() - refused <= nanos;
    }

    /** Bytes reserved now. */
    public long held() {
        return held.get();
    }

    public long limit() {
        return limit;
    }

    /** The setting that sized it, and its size: {@code caravan.receiver.direct-memory, 117440512 bytes}. */
    public String named() {
        return setting + ", " + limit + " bytes";
    }
}
