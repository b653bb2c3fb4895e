package io.caravan.sync;

/**
 * A mirroring pass refused because its source is empty while the mirror holds entries (an unmounted
 * disk or a wrong folder would otherwise empty the mirror); nothing was changed.
 */
public final class EmptySourceException extends PassRefusedException {

    public EmptySourceException(String message) {
        super(message, null);
    }

    @Override
    public String code() {
        return "empty_source";
    }
}
