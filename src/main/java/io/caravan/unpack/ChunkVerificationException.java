package io.caravan.unpack;

import io.caravan.CaravanException;

/** A chunk or part that is missing, the wrong size, or whose SHA-256 differs from the manifest's. */
public class ChunkVerificationException extends CaravanException {

    public ChunkVerificationException(String message) {
        super(message);
    }

    @Override
    public int httpStatus() {
        return 409;
    }

    @Override
    public String code() {
        return "chunk_verification";
    }
}
