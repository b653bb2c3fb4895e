package io.caravan.progress;

/**
 * Receives the events of a pack or unpack as they happen (a progress callback). Calls come
 * from the thread doing the work; implementations must be quick and must not throw.
 */
public interface ProgressListener {

    ProgressListener NONE = new ProgressListener() {
    };

    /** Work begins; totals are -1 when not known in advance. */
    default void started(String operation, long totalBytes, long totalFiles) {
    }

    /** An entry (file, folder, link) is being packed or extracted. */
    default void entry(String path, long size) {
    }

    /** {@code bytes} more content bytes were read or written. */
    default void bytes(long bytes) {
    }

    /** A chunk was completed (pack) or verified (unpack). */
    default void chunk(int index, long size) {
    }

    /** Something was skipped or changed on the way; the work goes on. */
    default void warning(String message) {
    }

    /** Work ended, successfully or not. */
    default void finished(boolean success) {
    }
}
