package io.caravan.unpack;

/**
 * An archive that holds more entries or content bytes than its manifest declares, within every limit of
 * this side: the parcel itself is wrong (a decompression bomb, a broken catalog), so the same bytes are
 * refused again whatever the room or the settings here. Unlike the other {@link ExtractLimitException}s
 * of a bytes or entries bound, which a larger disk or limit may lift.
 */
public class ManifestBreachException extends ExtractLimitException {

    public ManifestBreachException(String message) {
        super(message);
    }
}
