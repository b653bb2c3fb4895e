package io.caravan.unpack;

import java.util.Locale;

/** What publishing does when the destination already holds an entry of the same name. */
public enum OnConflict {
    /** Swap the new entry in; the old one is removed. */
    REPLACE,
    /** Publish as {@code name (1)}, {@code name (2)}, … */
    RENAME,
    /** Refuse; nothing is published. */
    FAIL;

    public static OnConflict parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("on-conflict must be replace, rename or fail, not '" + text + "'", e);
        }
    }
}
