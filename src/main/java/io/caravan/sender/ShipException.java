package io.caravan.sender;

import io.caravan.CaravanException;
import java.util.List;

/**
 * A request to the receiver that failed: with the HTTP status (0 when the receiver could not be
 * reached) and the receiver's message. {@link #retryable()} tells whether trying again may help.
 */
public class ShipException extends CaravanException {

    /** The receiver's {@code error} code for a refused reference: the stored content it named changed or went away. */
    public static final String REFERENCE_UNAVAILABLE = "reference_unavailable";

    private final int status;
    private final String error;
    private final List<String> references;

    public ShipException(int status, String message, Throwable cause) {
        this(status, null, List.of(), message, cause);
    }

    /** {@code error}: the receiver's error code (null if none); {@code references}: the stored content it refused. */
    public ShipException(int status, String error, List<String> references, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.error = error;
        this.references = List.copyOf(references);
    }

    public int status() {
        return status;
    }

    /** The receiver's {@code error} code, or null. */
    public String error() {
        return error;
    }

    /** The receiver answered a finish 409 {@code incomplete}: chunks it lacks (or holds with another hash) are named. */
    public boolean incomplete() {
        return status() == 409 && "incomplete".equals(error);
    }

    /** The receiver refused a reference entry: the parcel must be sent again with that content. */
    public boolean referenceUnavailable() {
        return REFERENCE_UNAVAILABLE.equals(error);
    }

    /** The content hashes the receiver no longer holds (with {@link #referenceUnavailable()}). */
    public List<String> references() {
        return references;
    }

    /**
     * This failure as the last of {@code attempts}: the same status, error code and references (so as
     * retryable as it is), the count added to its message.
     */
    public ShipException afterAttempts(int attempts) {
        return new ShipException(status, error, references, getMessage() + " (after " + attempts + " attempts)", this);
    }

    /** Connection failures, timeouts, 5xx, 429 and 507 may pass later; other 4xx will not. */
    public boolean retryable() {
        return status == 0 || status == 408 || status == 429 || status == 507 || status >= 500;
    }

    /** The session is gone (404) or expired (410): a new session is needed. */
    public boolean sessionLost() {
        return status == 404 || status == 410;
    }

    @Override
    public int httpStatus() {
        return status == 0 ? 503 : status;
    }

    @Override
    public String code() {
        return "ship";
    }
}
