package io.caravan.sync;

import io.caravan.CaravanException;

/**
 * A mirroring pass refused before it changed anything on either side, because running it would
 * most likely destroy data by mistake; the message says what was found and how to go ahead.
 */
public abstract class PassRefusedException extends CaravanException {

    protected PassRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
