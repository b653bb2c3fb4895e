package io.caravan.unpack;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Lets a receiver take part in extraction: it materialises reference entries (dedup) from content
 * it stores, only from bytes that still hash to them, and learns which large files were extracted
 * (with their SHA-256 if it asks) to index them.
 */
public interface ExtractHooks {

    ExtractHooks NONE = new ExtractHooks() {
    };

    /** Whether a stored file may be shared by a hard link (its permissions and mtime are what the entry wants). */
    @FunctionalInterface
    interface StoredFileCheck {
        boolean test(Path stored) throws IOException;
    }

    /**
     * Writes the stored content with this SHA-256 ({@code size} bytes, -1 if not given) to
     * {@code target}, which does not exist yet: a hard link to the stored file when {@code mayLink}
     * accepts it, else a copy checked against the hash. Returns whether it linked (a copy then gets
     * the entry's permissions and mtime from the caller).
     *
     * @throws ReferenceUnavailableException when no stored file holds exactly these bytes; nothing
     *         is left at {@code target}
     */
    default boolean materialise(String sha256, long size, Path target, StoredFileCheck mayLink) throws IOException {
        throw new ReferenceUnavailableException(null, sha256, "is not available here (no content store)");
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

    /**
     * The extraction created a folder (one of the archive's, or one above an entry): it takes a block of the disk
     * although it has no content, which the extraction's budget counts as written.
     */
    default void folderCreated() throws IOException {
    }
}
