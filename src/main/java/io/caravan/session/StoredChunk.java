package io.caravan.session;

import java.nio.file.Path;

/**
 * A chunk held by a session, verified and committed under its index and hash: {@code size} bytes of
 * {@code file} from {@code offset}. A chunk in its own file starts at offset 0; a chunk of a raw
 * session written at its position in the session's data file starts at {@code index * chunkSize}.
 * The disk store names {@code file} relative to the session's folder ({@code chunks/<name>} or
 * {@code data}), since the open folder it is reached through may be let go and opened again; a
 * store that reaches its chunk folders by path names it by its absolute path. A covered chunk
 * ({@link SessionStore#cover}) was taken by the extraction from its request body: its first
 * {@code coveredTo} bytes are in no file; when that is less than its size, {@code file} holds the
 * rest from its first byte (the chunk's tail), else it has no file.
 */
public record StoredChunk(int index, String sha256, long size, Path file, long offset, long coveredTo) {

    public StoredChunk(int index, String sha256, long size, Path file, long offset) {
        this(index, sha256, size, file, offset, 0);
    }

    /** A chunk that is a whole file of its own. */
    public StoredChunk(int index, String sha256, long size, Path file) {
        this(index, sha256, size, file, 0);
    }

    /** A chunk the extraction took from its request body and a checkpoint covers: listed, with no file. */
    public static StoredChunk covered(int index, String sha256, long size) {
        return new StoredChunk(index, sha256, size, null, 0, size);
    }

    /**
     * A chunk the extraction took from its request body and a checkpoint covers up to {@code coveredTo} of its
     * bytes: the rest, its tail, is kept in {@code tail} for an extraction resumed at that checkpoint.
     */
    public static StoredChunk coveredWithTail(int index, String sha256, long size, long coveredTo, Path tail) {
        return new StoredChunk(index, sha256, size, tail, 0, coveredTo);
    }

    /** Whether the chunk is covered: some of its bytes, or all, are in no file (see {@link SessionStore#cover}). */
    public boolean covered() {
        return coveredTo > 0;
    }

    /** Whether the chunk is covered only up to a point, its tail kept in {@code file}. */
    public boolean hasTail() {
        return covered() && coveredTo < size;
    }
}
