package io.caravan.session;

import io.caravan.CaravanException;

/** A chunk body whose SHA-256 differs from the one the sender declared; it was not stored. */
public class ChunkDigestMismatchException extends CaravanException {

    public ChunkDigestMismatchException(String id, int index, String expected, String actual) {
        super("chunk " + index + " of session " + id + ": SHA-256 mismatch (X-Chunk-Sha256 " + expected
                + ", body " + actual + "); the chunk was not stored, send it again");
    }

    @Override
    public int httpStatus() {
        return 422;
    }

    @Override
    public String code() {
        return "chunk_digest_mismatch";
    }
}
