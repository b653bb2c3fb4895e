package io.caravan.fs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Paths compared as the file system sees them, for checks made before the paths need to exist. */
public final class RealPaths {

    private RealPaths() {
    }

    /**
     * The real path (links resolved) of the longest existing ancestor of {@code path}, with the rest of
     * {@code path} appended; {@code path} should be absolute and normalized.
     */
    public static Path of(Path path) {
        Path existing = path;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return path;
        }
        try {
            return existing.toRealPath().resolve(existing.relativize(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
