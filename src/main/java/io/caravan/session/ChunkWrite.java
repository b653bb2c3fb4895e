package io.caravan.session;

/** Outcome of storing a chunk: new (201), identical to what was there (200), or replacing it (201). */
public record ChunkWrite(StoredChunk chunk, Outcome outcome) {

    public enum Outcome { CREATED, IDENTICAL, REPLACED }

    public int httpStatus() {
        return outcome == Outcome.IDENTICAL ? 200 : 201;
    }
}
