package io.caravan.session;

import java.nio.file.Path;

/** A chunk held by a session: verified and renamed into place under its index and hash (forced to disk first with durability {@code chunk}). */
public record StoredChunk(int index, String sha256, long size, Path file) {
}
