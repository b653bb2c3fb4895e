package io.caravan.util;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A number of bytes, sized by a setting, that holders reserve before they take memory: each holder
 * reserves what it will hold before it takes any and gives the same amount back exactly once, when it
 * has let the memory go; a reservation that would pass the limit is refused and changes nothing, so its
 * request can be answered 503 {@code busy} at once instead of waiting for memory that other requests
 * hold. Safe for any number of threads. The receiver's {@link DirectMemoryBudget} is one; the heap its
 * JSON requests may hold is another.
 */
public class ByteBudget {

    private final String setting;
    private final long limit;
    private final AtomicLong held = new AtomicLong();
    /** When (System.nanoTime) a reservation was last refused; {@link Long#MIN_VALUE}: never. */
    private volatile long lastRefused = Long.MIN_VALUE;

    /** A budget of {@code limit} bytes, configured as {@code setting} (named in messages). */
    public ByteBudget(String setting, long limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("property " + setting + "=" + limit + " is not valid: the receiver needs some");
        }
        this.setting = setting;
        this.limit = limit;
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

    /** The setting that sized it, and its size: {@code caravan.receiver.direct-memory, 92274688 bytes}. */
    public String named() {
        return setting + ", " + limit + " bytes";
    }
}
