package io.caravan.unpack;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Lets a receiver take part in extraction: it supplies stored content for reference entries
 * (dedup) and learns the SHA-256 of large extracted files to index them.
 */
public interface ExtractHooks {

    ExtractHooks NONE = new ExtractHooks() {
    };

    /** A stored file with this content, for a reference entry; empty when unknown. */
    default Optional<Path> content(String sha256, long size) {
        return Optional.empty();
    }

    /** Files at least this large are hashed while extracted and reported to {@link #extracted}. */
    default long hashFilesFrom() {
        return Long.MAX_VALUE;
    }

    /** A file of the archive, named as in the archive, was extracted with that content hash. */
    default void extracted(String name, String sha256, long size) {
    }
}
