package io.caravan.session;

import io.caravan.fs.NameRules;
import java.util.regex.Pattern;

/**
 * A chunk index as a request's path gives it: a decimal number written one way only ({@code 0}, {@code 1},
 * {@code 12}), so that no two spellings ({@code 01}, {@code +1}) name the same chunk.
 */
public final class ChunkIndex {

    private static final Pattern CANONICAL = Pattern.compile("0|[1-9][0-9]{0,9}");
    /** A number written that way with too many digits for an index. */
    private static final Pattern LARGE = Pattern.compile("[1-9][0-9]{9,}");

    private ChunkIndex() {
    }

    /**
     * The index {@code text} names.
     *
     * @throws RequestRejectedException 400 {@code bad_request} when it is not a decimal number without sign or
     *                                  leading zeros that fits an {@code int}
     */
    public static int parse(String text) {
        if (text != null && CANONICAL.matcher(text).matches()) {
            long value = Long.parseLong(text);
            if (value <= Integer.MAX_VALUE) {
                return (int) value;
            }
        }
        if (text != null && LARGE.matcher(text).matches()) {
            throw RequestRejectedException.badRequest("chunk index '" + NameRules.shortened(text, 40)
                    + "' is larger than any chunk index (at most " + Integer.MAX_VALUE + ")");
        }
        throw RequestRejectedException.badRequest("chunk index '" + text + "' is not a number written as 0, 1, 2, ..."
                + " (no sign, no leading zeros)");
    }
}
