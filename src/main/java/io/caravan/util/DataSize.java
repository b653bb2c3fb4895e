package io.caravan.util;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses and prints byte sizes. {@code KiB/MiB/GiB} and the bare {@code K/M/G} are powers of 1024,
 * {@code KB/MB/GB} powers of 1000, as {@code split -b} reads them.
 */
public final class DataSize {

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmgt]?)(i?)(b?)", Pattern.CASE_INSENSITIVE);

    private DataSize() {
    }

    public static long parse(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size: use a number with an optional unit, e.g. 8MiB, 50MB, 64K");
        }
        long value;
        try {
            value = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw tooLarge(text);
        }
        String unit = m.group(2).toLowerCase(Locale.ROOT);
        boolean binary = !m.group(3).isEmpty() || m.group(4).isEmpty();
        if (!m.group(3).isEmpty() && unit.isEmpty()) {
            throw new IllegalArgumentException("'" + text + "' is not a size: 'i' needs a unit before it, e.g. 8MiB");
        }
        int power = unit.isEmpty() ? 0 : "kmgt".indexOf(unit) + 1;
        long base = binary ? 1024 : 1000;
        for (int i = 0; i < power; i++) {
            if (value > Long.MAX_VALUE / base) {
                throw tooLarge(text);
            }
            value *= base;
        }
        return value;
    }

    private static TooLarge tooLarge(String text) {
        return new TooLarge("'" + text + "' is too large: a size is at most 8 EiB (" + Long.MAX_VALUE
                + " bytes), and each option takes less (see --help)");
    }

    /** A well-formed size beyond 8 EiB, what a {@code long} holds. */
    public static final class TooLarge extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        TooLarge(String message) {
            super(message);
        }
    }

    /** Human form with binary units: {@code 8.0 MiB}. */
    public static String format(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    /** Megabytes (10^6) per second, as the benchmarks and the seeds print speed. */
    public static String rate(long bytes, long nanos) {
        double seconds = Math.max(nanos, 1) / 1e9;
        return String.format(Locale.ROOT, "%.1f MB/s", bytes / 1e6 / seconds);
    }
}
