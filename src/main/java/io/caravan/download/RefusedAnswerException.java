package io.caravan.download;

import io.caravan.sender.ShipException;

/**
 * An answer of the server that the client refuses for what it says (a manifest that is not valid, one
 * without its ETag): the same request would get the same answer, so it is never asked again
 * ({@link #retryable()} is false), unlike a 502 the server itself answers.
 */
public final class RefusedAnswerException extends ShipException {

    public RefusedAnswerException(String message, Throwable cause) {
        super(502, message, cause);
    }

    @Override
    public boolean retryable() {
        return false;
    }
}
