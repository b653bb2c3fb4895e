package io.caravan.progress;

import io.caravan.util.DataSize;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Counts what a pack or unpack did, as a listener, and prints the closing summary. Thread-safe for
 * one writer and any number of readers.
 */
public final class TransferStats implements ProgressListener {

    private final long startNanos = System.nanoTime();
    private volatile long files;
    private volatile long contentBytes;
    private volatile long chunks;
    private volatile long chunkBytes;
    private volatile long endNanos;
    private final List<String> warnings = new ArrayList<>();
    private long warningCount;

    /** The most warnings whose text is kept: a hostile archive may give one for each of millions of entries. */
    public static final int KEPT_WARNINGS = 1000;

    @Override
    public void entry(String path, long size) {
        files++;
    }

    @Override
    public void bytes(long bytes) {
        contentBytes += bytes;
    }

    @Override
    public void chunk(int index, long size) {
        chunks++;
        chunkBytes += size;
    }

    @Override
    public synchronized void warning(String message) {
        warningCount++;
        if (warnings.size() < KEPT_WARNINGS) {
            warnings.add(message);
        }
    }

    @Override
    public void finished(boolean success) {
        endNanos = System.nanoTime();
    }

    public long files() {
        return files;
    }

    public long contentBytes() {
        return contentBytes;
    }

    public long chunks() {
        return chunks;
    }

    /** The first {@link #KEPT_WARNINGS} warnings' text (each was told to the listeners that print it as it came). */
    public synchronized List<String> warnings() {
        return List.copyOf(warnings);
    }

    /** How many warnings there were in all. */
    public synchronized long warningCount() {
        return warningCount;
    }

    public long elapsedNanos() {
        return (endNanos == 0 ? System.nanoTime() : endNanos) - startNanos;
    }

    /** Multi-line closing summary: entries, bytes in and out, ratio, speed, elapsed, warnings. */
    public String summary(String verb) {
        long elapsed = elapsedNanos();
        String stream = "";
        if (chunks > 0) {
            double ratio = contentBytes == 0 ? 0 : (double) chunkBytes / contentBytes;
            stream = String.format(Locale.ROOT, ", %s in %d chunks (ratio %.3f)", DataSize.format(chunkBytes), chunks, ratio);
        }
        return String.format(Locale.ROOT, "%s %d entries: %s of content%s, %s, %.2f s, %d warning%s",
                verb, files, DataSize.format(contentBytes), stream, DataSize.rate(contentBytes, elapsed),
                elapsed / 1e9, warningCount(), warningCount() == 1 ? "" : "s");
    }
}
