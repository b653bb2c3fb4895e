package io.caravan.unpack;

import io.caravan.CaravanException;

/** An archive that holds more entries or bytes than the configured limits allow. */
public class ExtractLimitException extends CaravanException {

    public ExtractLimitException(String message) {
        super(message);
    }

    @Override
    public int httpStatus() {
        return 413;
    }

    @Override
    public String code() {
        return "extract_limit";
    }
}
