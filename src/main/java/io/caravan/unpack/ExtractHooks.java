package io.caravan.unpack;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Lets a receiver take part in extraction: it supplies stored content for reference entries
 * (dedup) and learns which large files were extracted (with their SHA-256 if it asks) to index them.
 */
public interface ExtractHooks {

    ExtractHooks NONE = new ExtractHooks() {
    };

    /** A stored file with this content, for a reference entry; empty when unknown. */
    default Optional<Path> content(String sha256, long size) {
        return Optional.empty();
    }

    /** Files at least this large are reported to {@link #extracted}. */
    default long reportFilesFrom() {
        return Long.MAX_VALUE;
    }

    /** Whether reported files are hashed while they are extracted; if not, they are reported without a hash. */
    default boolean hashReportedFiles() {
        return true;
    }

    /** A file of the archive, named as in the archive, was extracted; its content hash, or null when not hashed. */
    default void extracted(String name, String sha256, long size) {
    }
}
