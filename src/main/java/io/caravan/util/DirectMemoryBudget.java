package io.caravan.util;

import io.netty.util.internal.PlatformDependent;

/**
 * A share of direct memory, sized by a setting: all that a receiver's upload bodies and answers may
 * hold together ({@value #SETTING}), or the answers' part of it ({@code caravan.receiver.answer-memory}).
 * Holders reserve and give back as {@link ByteBudget} says.
 */
public final class DirectMemoryBudget extends ByteBudget {

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

    /** A budget of {@code limit} bytes, configured as {@code setting} (named in messages). */
    public DirectMemoryBudget(String setting, long limit) {
        super(setting, limit);
    }

    /**
     * The budget unless configured: this JVM's direct memory ({@code -XX:MaxDirectMemorySize}) less
     * {@link #OUTSIDE}, and at least half of it (88 MiB of the launcher's 128 MiB).
     */
    public static long defaultLimit() {
        long max = PlatformDependent.estimateMaxDirectMemory();
        return Math.max(max - OUTSIDE, max / 2);
    }
}
