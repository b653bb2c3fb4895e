package io.caravan.unpack;

import java.util.Locale;

/** What publishing does when the destination already holds an entry of the same name. */
public enum OnConflict {
    /** Swap the new entry in atomically; the old one is kept as a version where the destination keeps versions. */
    REPLACE,
    /** Folders are merged entry by entry, like {@code tar -x}: entries of the same name are replaced, others kept. */
    MERGE,
    /** Publish as {@code name (1)}, {@code name (2)}, … */
    RENAME,
    /** Refuse; nothing is published. */
    FAIL;

    public static OnConflict parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("on-conflict must be replace, merge, rename or fail, not '" + text + "'", e);
        }
    }
}
