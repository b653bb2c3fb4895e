package io.caravan.session;

import java.nio.file.Path;

/**
 * A chunk held by a session, verified and committed under its index and hash: {@code size} bytes of
 * {@code file} from {@code offset}. A chunk in its own file starts at offset 0; a chunk of a raw
 * session written at its position in the session's data file starts at {@code index * chunkSize}.
 * The disk store names {@code file} relative to the session's folder ({@code chunks/<name>} or
 * {@code data}), since the open folder it is reached through may be let go and opened again; a
 * store that reaches its chunk folders by path names it by its absolute path. A covered chunk
 * ({@link SessionStore#cover}) has no file: the extraction took its bytes from its request body.
 */
public record StoredChunk(int index, String sha256, long size, Path file, long offset) {

    /** A chunk that is a whole file of its own. */
    public StoredChunk(int index, String sha256, long size, Path file) {
        this(index, sha256, size, file, 0);
    }

    /** A chunk the extraction took from its request body and a checkpoint covers: listed, with no file. */
    public static StoredChunk covered(int index, String sha256, long size) {
        return new StoredChunk(index, sha256, size, null, 0);
    }

    /** Whether the chunk is covered: its bytes are in no file (see {@link SessionStore#cover}). */
    public boolean covered() {
        return file == null;
    }
}
