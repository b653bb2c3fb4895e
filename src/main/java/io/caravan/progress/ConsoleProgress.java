package io.caravan.progress;

import io.caravan.util.DataSize;
import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows progress on the console: a progress bar (bytes, MB/s, ETA) on a terminal, otherwise a
 * plain line every few seconds, and warnings as they happen. Writes to standard error. While the
 * bar shows, every other line written to standard error (log lines too) goes above it.
 */
public final class ConsoleProgress implements ProgressListener {

    private static final long PLAIN_INTERVAL_NANOS = 2_000_000_000L;
    private static final int MIB = 1024 * 1024;

    private final PrintStream out;
    private final boolean interactive;
    private final boolean quiet;
    private ProgressBar bar;
    private BarLine line;
    private String operation = "work";
    private long total = -1;
    private long done;
    private long startNanos;
    private long lastPrint;

    public ConsoleProgress(PrintStream out, boolean interactive, boolean quiet) {
        this.out = out;
        this.interactive = interactive;
        this.quiet = quiet;
    }

    /** A progress display for this process: a bar if standard error is a terminal. */
    public static ConsoleProgress forConsole(boolean quiet) {
        return new ConsoleProgress(System.err, System.console() != null, quiet);
    }

    @Override
    public void started(String operation, long totalBytes, long totalFiles) {
        this.operation = operation;
        this.total = totalBytes;
        this.startNanos = System.nanoTime();
        this.lastPrint = startNanos;
        if (interactive && !quiet) {
            line = new BarLine(out);
            bar = new ProgressBarBuilder().setTaskName(operation).setInitialMax(Math.max(totalBytes, 0))
                    .setUnit(" MiB", MIB).showSpeed().setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
                    .setConsumer(line).build();
            line.takeOverStandardError();
        }
    }

    @Override
    public void bytes(long bytes) {
        done += bytes;
        if (bar != null) {
            bar.stepBy(bytes);
            return;
        }
        long now = System.nanoTime();
        if (!quiet && startNanos != 0 && now - lastPrint >= PLAIN_INTERVAL_NANOS) {
            lastPrint = now;
            out.println(line(now));
        }
    }

    private String line(long now) {
        long elapsed = now - startNanos;
        String rate = DataSize.rate(done, elapsed);
        if (total <= 0) {
            return String.format(Locale.ROOT, "%s: %s, %s", operation, DataSize.format(done), rate);
        }
        double fraction = Math.min(1.0, (double) done / total);
        long etaSeconds = fraction <= 0 ? -1 : Math.round(elapsed / 1e9 * (1 - fraction) / fraction);
        return String.format(Locale.ROOT, "%s: %s of %s (%.0f%%), %s, ETA %ds", operation,
                DataSize.format(done), DataSize.format(total), fraction * 100, rate, etaSeconds);
    }

    @Override
    public void warning(String message) {
        if (!println("warning: " + message)) {
            out.println("warning: " + message);
        }
    }

    /** Writes a line above the progress bar; false (and nothing written) when no bar shows. */
    public boolean println(String text) {
        BarLine current = line;
        if (current == null) {
            return false;
        }
        current.println(text);
        return true;
    }

    @Override
    public void finished(boolean success) {
        if (bar != null) {
            if (success && total > 0) {
                bar.stepTo(Math.max(done, total));
            }
            bar.close();
            bar = null;
            line.release();
            line = null;
        }
    }
}
