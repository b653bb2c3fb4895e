package io.caravan;

/**
 * Base of the failures a user can act on. The message says what happened, to which file, entry
 * or chunk, and what to do; {@link #httpStatus()} is the status a receiver answers with.
 */
public class CaravanException extends RuntimeException {

    public CaravanException(String message) {
        super(message);
    }

    public CaravanException(String message, Throwable cause) {
        super(message, cause);
    }

    public int httpStatus() {
        return 400;
    }

    /** Short machine-readable name of the failure, used as {@code error} in JSON answers. */
    public String code() {
        String name = getClass().getSimpleName().replace("Exception", "");
        return name.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }

    /** Extra fields for a JSON answer (for example the missing chunks); empty by default. */
    public java.util.Map<String, Object> details() {
        return java.util.Map.of();
    }
}
