package io.caravan.util;

import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * The process's file descriptors: how many are open and how many it may have ({@code ulimit -n}, the
 * soft limit), from the JVM's {@link UnixOperatingSystemMXBean}; -1 for what cannot be told (another
 * system, or no descriptor left to list them with).
 */
public record FileDescriptors(long open, long max) {

    /** Fewer free than this (or fewer than {@link #FEW_FREE_SHARE} of the limit) is nearly exhausted. */
    public static final long FEW_FREE = 32;
    /** The share of the limit under which the free descriptors are nearly exhausted, as a divisor. */
    public static final long FEW_FREE_SHARE = 50;

    public static FileDescriptors now() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof UnixOperatingSystemMXBean unix) {
            return new FileDescriptors(unix.getOpenFileDescriptorCount(), unix.getMaxFileDescriptorCount());
        }
        return new FileDescriptors(-1, -1);
    }

    /** Whether the limit is known. */
    public boolean known() {
        return max > 0;
    }

    /**
     * Whether so few descriptors are left that a request may fail for want of one: fewer than
     * {@link #FEW_FREE} or a fiftieth of the limit, or none left to count them with.
     */
    public boolean nearlyExhausted() {
        if (!known()) {
            return false;
        }
        return open < 0 || max - open < Math.max(FEW_FREE, max / FEW_FREE_SHARE);
    }
}
