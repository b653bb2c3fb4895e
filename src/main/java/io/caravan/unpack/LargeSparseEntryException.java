package io.caravan.unpack;

import java.io.IOException;
import java.util.Arrays;

/**
 * A GNU sparse file of 2 GiB or more in the PAX sparse formats (0.x and 1.0, {@code tar --sparse --format=pax}):
 * the tar reader reads the sizes of such a sparse map as an int and fails. Caravan's own archives hold no sparse
 * files; GNU tar's own format ({@code --format=gnu}, its default) is read whatever the size. The failing entry's
 * name is in the headers that could not be read, so the entry before it is named.
 */
public final class LargeSparseEntryException extends UnsafeEntryException {

    private static final String REASON = "it is a GNU sparse file of 2 GiB or more in the PAX format, which Caravan cannot"
            + " read: unpack the archive with GNU tar, or make it with 'tar --sparse --format=gnu' or without --sparse";

    /** After the entry {@code previous} (null: the archive's first entry). */
    LargeSparseEntryException(String previous) {
        super(previous == null ? "refused the archive's first entry%s: %s; nothing was published"
                : "refused the entry after '%s': %s; nothing was published", previous == null ? "" : previous, REASON);
    }

    /** Whether {@code failure}, thrown while the tar reader read an entry's headers, is its int read of a sparse map. */
    static boolean isCause(IOException failure) {
        return Arrays.stream(failure.getStackTrace()).anyMatch(frame -> frame.getMethodName().startsWith("fillGNUSparse"));
    }
}
