package io.caravan.sync;

import io.caravan.CaravanException;

/** A mirroring pass refused because it would delete more entries than the limit allows; nothing was changed. */
public final class TooManyDeletesException extends CaravanException {

    public TooManyDeletesException(String message) {
        super(message);
    }
}
