package io.caravan.sync;

import java.util.Locale;

/** How a pass compares: {@code incremental} sends what differs, {@code full} resends everything. */
public enum SyncMode {
    INCREMENTAL, FULL;

    public static SyncMode parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("sync mode must be incremental or full, not '" + text + "'");
        }
    }
}
