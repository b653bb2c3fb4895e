package io.caravan.bandwidth;

import io.caravan.util.DataSize;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * A bandwidth limit in bytes per second, constant ({@code 50MiB}, {@code off}) or by time of day as an
 * rclone-style timetable ({@code "08:00,10MiB 19:00,off"}): each rate holds from its time until the next
 * entry's, the last one past midnight until the first. {@link #UNLIMITED} stands for {@code off}.
 */
public final class BandwidthSchedule {

    /** The rate of {@code off}: no limit. */
    public static final long UNLIMITED = Long.MAX_VALUE;
    public static final BandwidthSchedule OFF = new BandwidthSchedule(new TreeMap<>(Map.of(LocalTime.MIDNIGHT, UNLIMITED)));

    private final NavigableMap<LocalTime, Long> rates;

    private BandwidthSchedule(NavigableMap<LocalTime, Long> rates) {
        this.rates = rates;
    }

    /** Reads a limit: null, blank or {@code off} for none, a size per second, or a timetable of {@code HH:MM,rate} entries. */
    public static BandwidthSchedule parse(String text) {
        if (text == null || text.isBlank()) {
            return OFF;
        }
        String[] entries = text.trim().split("\\s+");
        if (entries.length == 1 && !entries[0].contains(",")) {
            return new BandwidthSchedule(new TreeMap<>(Map.of(LocalTime.MIDNIGHT, rate(entries[0], text))));
        }
        NavigableMap<LocalTime, Long> rates = new TreeMap<>();
        for (String entry : entries) {
            String[] parts = entry.split(",", 2);
            if (parts.length != 2) {
                throw invalid(text, "'" + entry + "' is not HH:MM,rate");
            }
            try {
                rates.put(LocalTime.parse(parts[0].length() == 4 ? "0" + parts[0] : parts[0]), rate(parts[1], text));
            } catch (DateTimeParseException e) {
                throw invalid(text, "'" + parts[0] + "' is not a time of day HH:MM");
            }
        }
        return new BandwidthSchedule(rates);
    }

    /** The rate at {@code time} of day, in bytes per second; {@link #UNLIMITED} when off. */
    public long rateAt(LocalTime time) {
        Map.Entry<LocalTime, Long> entry = rates.floorEntry(time);
        return (entry != null ? entry : rates.lastEntry()).getValue();
    }

    /** Whether any time of day has a limit. */
    public boolean limited() {
        return rates.values().stream().anyMatch(rate -> rate != UNLIMITED);
    }

    private static long rate(String rate, String text) {
        if (rate.toLowerCase(Locale.ROOT).equals("off")) {
            return UNLIMITED;
        }
        long bytes;
        try {
            bytes = DataSize.parse(rate);
        } catch (IllegalArgumentException e) {
            throw invalid(text, "'" + rate + "' is not a rate");
        }
        if (bytes <= 0) {
            throw invalid(text, "a rate must be more than 0 bytes per second (use off for no limit)");
        }
        return bytes;
    }

    private static IllegalArgumentException invalid(String text, String why) {
        return new IllegalArgumentException("bandwidth limit '" + text + "': " + why + "; use a rate per second such as"
                + " 50MiB, off, or a timetable such as \"08:00,10MiB 19:00,off\"");
    }
}
