package io.caravan.sender;

/** A {@link ShipException} that may pass if tried again later; routes redeliver on this type only. */
public class RetryableShipException extends ShipException {

    public RetryableShipException(ShipException cause) {
        super(cause.status(), cause.getMessage(), cause);
    }

    @Override
    public String code() {
        return "retryable_ship";
    }
}
