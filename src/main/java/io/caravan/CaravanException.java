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
}
