package io.caravan.receiver;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The chunks a finish found missing or not matching the manifest, counted in full but listed only
 * up to {@link #LISTED} each, so the 409 answer costs no more than the chunks that exist (a client
 * that uploads chunks 0 and 99,999,999 gets the first thousand gaps and the count, not 10^8 numbers).
 */
final class ChunkGaps {

    /** Indices listed per kind at most; the answer's {@code missing_count} and {@code mismatched_count} say how many in all. */
    static final int LISTED = 1000;

    private final List<Integer> missing = new ArrayList<>();
    private final List<Integer> mismatched = new ArrayList<>();
    private long missingCount;
    private long mismatchedCount;

    void missing(int index) {
        missingCount++;
        if (missing.size() < LISTED) {
            missing.add(index);
        }
    }

    /** Counts {@code count} missing chunks without listing them (the list is full, or the caller knows only how many). */
    void missingUnlisted(long count) {
        missingCount += count;
    }

    void mismatched(int index) {
        mismatchedCount++;
        if (mismatched.size() < LISTED) {
            mismatched.add(index);
        }
    }

    boolean listFull() {
        return missing.size() >= LISTED;
    }

    boolean any() {
        return missingCount > 0 || mismatchedCount > 0;
    }

    long missingCount() {
        return missingCount;
    }

    long mismatchedCount() {
        return mismatchedCount;
    }

    /** The answer's fields: {@code missing}, {@code mismatched} (the first {@link #LISTED} of each) and their counts. */
    Map<String, Object> details() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("missing", missing);
        details.put("mismatched", mismatched);
        details.put("missing_count", missingCount);
        details.put("mismatched_count", mismatchedCount);
        return details;
    }

    /** A note for the message when the lists were cut. */
    String listedNote() {
        return missingCount > LISTED || mismatchedCount > LISTED ? " (the first " + LISTED + " of each are listed)" : "";
    }
}
