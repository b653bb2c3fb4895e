package io.caravan.util;

/**
 * What an {@link Error} that ended some work tells an operator: what ran out (the heap, the stack) and
 * what to give the JVM instead, in words for one log line or one message.
 */
public final class Exhaustion {

    private Exhaustion() {
    }

    /** The first {@link Error} in {@code failure}'s chain of causes ({@code failure} included); null when none is. */
    public static Error in(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof Error error) {
                return error;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    /** What happened: "ran out of memory (Java heap space)", "ran out of stack", or "ended with java.lang.X: ..." for another error. */
    public static String what(Error error) {
        if (error instanceof OutOfMemoryError) {
            return "ran out of memory" + (error.getMessage() != null ? " (" + error.getMessage() + ")" : "");
        }
        if (error instanceof StackOverflowError) {
            return "ran out of stack";
        }
        return "ended with " + error;
    }

    /**
     * What to give the JVM so that it does not happen again: "a larger heap (JAVA_OPTS=-Xmx2g)", "a larger
     * stack (JAVA_OPTS=-Xss16m)"; null for another error, which no setting answers.
     */
    public static String remedy(Error error) {
        if (error instanceof OutOfMemoryError) {
            return "a larger heap (JAVA_OPTS=-Xmx2g)";
        }
        if (error instanceof StackOverflowError) {
            return "a larger stack (JAVA_OPTS=-Xss16m)";
        }
        return null;
    }
}
