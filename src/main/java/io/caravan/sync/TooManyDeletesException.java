package io.caravan.sync;

/** A mirroring pass refused because it would delete more entries than the limit allows; nothing was changed. */
public final class TooManyDeletesException extends PassRefusedException {

    public TooManyDeletesException(String message) {
        super(message, null);
    }

    @Override
    public String code() {
        return "too_many_deletes";
    }
}
