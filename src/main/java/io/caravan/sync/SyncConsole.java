package io.caravan.sync;

import io.caravan.util.DataSize;
import java.io.PrintStream;
import java.util.Locale;

/**
 * The console lines of a sync, in the shape users of the original mirroring tool know: scan counts, {@code Incremental sync: k/M
 * (x%)} progress, {@code Copying big.iso: 125.3MB/512.0MB (24.5%)} for large files, one line per
 * change while watching, and {@code Results: a synced, b failed, c skipped}; with {@code -q} only the results and
 * what failed or was refused. Thread-safe.
 */
public final class SyncConsole {

    private final PrintStream out;
    private final boolean quiet;

    public SyncConsole(PrintStream out) {
        this(out, false);
    }

    /** Lines on {@code out}; {@code quiet} ({@code -q}): only {@link #notice}s and the {@link #results}. */
    public SyncConsole(PrintStream out, boolean quiet) {
        this.out = out;
        this.quiet = quiet;
    }

    /** A line of what is being done (start, scan counts, each change, progress): not shown with {@code -q}. */
    public void line(String text) {
        if (!quiet) {
            print(text);
        }
    }

    /** A line shown even with {@code -q}: what failed or was refused, and what a dry run would do. */
    public void notice(String text) {
        print(text);
    }

    private synchronized void print(String text) {
        out.println(text);
        out.flush();
    }

    public void progress(SyncMode mode, long done, long total) {
        line(String.format(Locale.ROOT, "%s sync: %d/%d (%.1f%%)", label(mode), done, total, percent(done, total)));
    }

    public void copying(String path, long done, long total) {
        line(String.format(Locale.ROOT, "Copying %s: %s/%s (%.1f%%)", path, mb(done), mb(total), percent(done, total)));
    }

    public void results(SyncMode mode, long synced, long failed, long skipped, long elapsedNanos) {
        line(String.format(Locale.ROOT, "%s sync completed in %.2f seconds", label(mode), elapsedNanos / 1e9));
        notice(String.format(Locale.ROOT, "Results: %d synced, %d failed, %d skipped", synced, failed, skipped));
    }

    static String label(SyncMode mode) {
        return mode == SyncMode.FULL ? "Full" : "Incremental";
    }

    private static double percent(long done, long total) {
        return total == 0 ? 100.0 : 100.0 * done / total;
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.1fMB", bytes / 1048576.0);
    }

    static String size(long bytes) {
        return DataSize.format(bytes);
    }
}
