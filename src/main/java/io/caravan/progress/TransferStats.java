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
        warnings.add(message);
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

    public synchronized List<String> warnings() {
        return List.copyOf(warnings);
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
                elapsed / 1e9, warnings.size(), warnings.size() == 1 ? "" : "s");
    }
}
