package io.caravan.unpack;

/** An archive that unpacks to far more bytes than were sent for it: a decompression bomb. Answered 413. */
public class ExpansionLimitException extends ExtractLimitException {

    public ExpansionLimitException(String message) {
        super(message);
    }

    @Override
    public String code() {
        return "expansion_limit";
    }
}
