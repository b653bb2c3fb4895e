package io.caravan.util;

import java.util.Comparator;

/**
 * Names in the order of their Unicode code points, which is the order of their UTF-8 bytes and of PostgreSQL's
 * {@code COLLATE "C"}: the one order of the parcel catalogs' listings and of their cursors, whichever catalog
 * answers. {@link String#compareTo} orders UTF-16 units instead, and puts a name with a character beyond U+FFFF
 * (an emoji) before one with a character from U+E000 to U+FFFF (a full-width letter), which the bytes order the
 * other way round.
 */
public final class CodePointOrder {

    /** Compares two names code point by code point; a name that is the start of the other comes first. */
    public static final Comparator<String> NAMES = CodePointOrder::compare;

    private CodePointOrder() {
    }

    /** Negative, zero or positive as {@code a} comes before, with or after {@code b}. */
    public static int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
