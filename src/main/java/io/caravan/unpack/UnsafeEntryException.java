package io.caravan.unpack;

import io.caravan.CaravanException;

/** An archive entry Caravan refuses to extract: it would escape the destination or is a device. */
public class UnsafeEntryException extends CaravanException {

    public UnsafeEntryException(String entry, String reason) {
        super("refused entry '" + entry + "': " + reason + "; nothing was published");
    }

    @Override
    public int httpStatus() {
        return 422;
    }
}
