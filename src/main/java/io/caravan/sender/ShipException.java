package io.caravan.sender;

import io.caravan.CaravanException;

/**
 * A request to the receiver that failed: with the HTTP status (0 when the receiver could not be
 * reached) and the receiver's message. {@link #retryable()} tells whether trying again may help.
 */
public class ShipException extends CaravanException {

    private final int status;

    public ShipException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    public int status() {
        return status;
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
}
