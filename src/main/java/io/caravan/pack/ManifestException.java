package io.caravan.pack;

import io.caravan.CaravanException;

/** A manifest that cannot be read or contradicts itself. */
public class ManifestException extends CaravanException {

    public ManifestException(String message) {
        super(message);
    }

    public ManifestException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public String code() {
        return "manifest";
    }
}
