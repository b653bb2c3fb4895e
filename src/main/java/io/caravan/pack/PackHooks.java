package io.caravan.pack;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Lets a sender take part in packing: files the receiver already holds travel as reference entries
 * (dedup), and large files are hashed as they are read so the next send can ask about them.
 */
public interface PackHooks {

    PackHooks NONE = new PackHooks() {
    };

    /** SHA-256 of content the receiver holds for this file, to send a reference instead; empty to send the bytes. */
    default Optional<String> reference(Path file, long size, long mtimeMillis) {
        return Optional.empty();
    }

    /** Files at least this large are hashed while packed and reported to {@link #hashed}. */
    default long hashFilesFrom() {
        return Long.MAX_VALUE;
    }

    /** A file was packed with its content; its SHA-256 was computed on the way. */
    default void hashed(Path file, long size, long mtimeMillis, String sha256) {
    }
}
