package io.caravan;

/**
 * Base of the failures a user can act on. The message says what happened, to which file, entry
 * or chunk, and what to do; {@link #httpStatus()} is the status a receiver answers with and
 * {@link #code()} the fixed {@code error} code of its JSON answer.
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

    /**
     * Short machine-readable name of the failure, used as {@code error} in JSON answers. Part of the
     * HTTP API: each failure type names its own code, never derived from the class name, so renaming
     * a class changes nothing on the wire; this is the code of a failure no subtype names.
     */
    public String code() {
        return "caravan";
    }

    /** Extra fields for a JSON answer (for example the missing chunks); empty by default. */
    public java.util.Map<String, Object> details() {
        return java.util.Map.of();
    }
}
