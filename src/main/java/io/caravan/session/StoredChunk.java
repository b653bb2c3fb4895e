package io.caravan.session;

import java.nio.file.Path;

/** A chunk held by a session: verified, fsynced and renamed into place under its index and hash. */
public record StoredChunk(int index, String sha256, long size, Path file) {
}
