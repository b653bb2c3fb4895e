package io.caravan.pack;

import java.lang.management.ManagementFactory;

/**
 * How busy the machine's CPUs were lately, for {@link AdaptiveLevel}: a slow link is worth a higher level only
 * while there is CPU to spare for it ("raise the level until the CPU becomes the bound"). On loopback, or on a
 * machine that other work keeps busy, every stage looks slow, the link too, and compressing harder would only
 * take cores from the rest.
 */
@FunctionalInterface
public interface CpuLoad {

    /** Not known: the level follows the link's waits alone. */
    CpuLoad UNKNOWN = () -> Double.NaN;

    /**
     * The share of the machine's (or the container's) CPU time that was busy since the last call, 0 to 1, or NaN
     * when not known.
     */
    double busy();

    /** The JVM's own measure of the machine's load ({@code com.sun.management.OperatingSystemMXBean#getCpuLoad}). */
    static CpuLoad system() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return () -> {
                double load = os.getCpuLoad();
                return load >= 0 && load <= 1 ? load : Double.NaN;
            };
        }
        return UNKNOWN;
    }
}
