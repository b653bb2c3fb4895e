package io.caravan.share;

import io.caravan.CaravanException;

/**
 * A follower's pass ran out of memory or of stack: said in one line with what to do (a larger heap or
 * stack, or fewer paths followed). The follower ends with it rather than trying the same pass again.
 */
public final class PassExhaustedException extends CaravanException {

    private PassExhaustedException(String message, Error cause) {
        super(message, cause);
    }

    /** The message for {@code error} (an {@link OutOfMemoryError} or a {@link StackOverflowError}) in a pass from {@code share}. */
    static PassExhaustedException of(Error error, String share, String folder, long cursor) {
        String where = " following " + share + " into " + folder + "; the folder holds what the passes before it made"
                + (cursor >= 0 ? " (up to change " + cursor + ")" : "") + ". ";
        String message = error instanceof StackOverflowError
                ? "the pass ran out of stack (a tree nested too deep)" + where
                        + "Give it a larger stack (JAVA_OPTS=-Xss16m) or leave the deep part out (--exclude <pattern>), and start it again"
                : "the pass ran out of memory" + (error.getMessage() != null ? " (" + error.getMessage() + ")" : "") + where
                        + "Give it a larger heap (JAVA_OPTS=-Xmx2g) or leave large parts of the share out (--exclude <pattern>),"
                        + " and start it again";
        return new PassExhaustedException(message, error);
    }

    @Override
    public String code() {
        return "pass_exhausted";
    }
}
