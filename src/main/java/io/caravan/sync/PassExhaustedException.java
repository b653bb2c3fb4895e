package io.caravan.sync;

import io.caravan.CaravanException;
import io.caravan.util.Exhaustion;

/**
 * A mirroring pass ran out of memory or of stack: a follower's ({@code sync --from}) or a push sync's
 * ({@code sync --to}), said in one line with what to do (a larger heap or stack, or fewer paths
 * mirrored). The sync ends with it rather than trying the same pass again in a JVM that just ran out.
 */
public final class PassExhaustedException extends CaravanException {

    private final String place;
    private final String ofWhat;

    private PassExhaustedException(Error cause, String place, String kept, String ofWhat) {
        super(said(cause, place + "; " + kept, ofWhat, "--exclude <pattern>", ", and start it again"), cause);
        this.place = place;
        this.ofWhat = ofWhat;
    }

    /**
     * {@code error} (an {@link OutOfMemoryError} or a {@link StackOverflowError}) in a pass of a follower
     * of {@code share} into {@code folder}, whose last finished pass saved {@code cursor} (-1: none).
     */
    public static PassExhaustedException following(Error error, String share, String folder, long cursor) {
        return new PassExhaustedException(error, "following " + share + " into " + folder, "the folder holds what the"
                + " passes before it made" + (cursor >= 0 ? " (up to change " + cursor + ")" : ""), "of the share");
    }

    /** {@code error} in a pass of a push sync of {@code root} to the mirror {@code mirror} of the receiver at {@code url}. */
    public static PassExhaustedException pushing(Error error, String root, String url, String mirror) {
        return new PassExhaustedException(error, "syncing " + root + " to " + url + " mirror '" + mirror + "'",
                "what it sent stays on the receiver and the next run resumes from it", "of the folder");
    }

    /**
     * The same, said for a pass a service runs again by itself ({@code caravan run}'s timer): what is left
     * out is set by {@code excludeSetting} ({@code caravan.sync.exclude}), and the next pass tries again,
     * resuming from what this one sent.
     */
    public String retriedByService(String excludeSetting) {
        return said((Error) getCause(), place, ofWhat, excludeSetting, "; the next pass tries again, resuming from what"
                + " this one sent");
    }

    private static String said(Error error, String where, String ofWhat, String exclude, String then) {
        boolean stack = error instanceof StackOverflowError;
        return "the pass " + Exhaustion.what(error) + (stack ? " (a tree nested too deep)" : "") + " " + where
                + ". Give it " + Exhaustion.remedy(error) + " or leave " + (stack ? "the deep part" : "large parts " + ofWhat)
                + " out (" + exclude + ")" + then;
    }

    @Override
    public String code() {
        return "pass_exhausted";
    }
}
