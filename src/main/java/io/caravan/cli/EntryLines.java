package io.caravan.cli;

import io.caravan.fs.NameRules;
import io.caravan.progress.ConsoleProgress;
import io.caravan.progress.ProgressListener;
import io.caravan.util.DataSize;

/**
 * With {@code -v}: one line for each file a command packs, extracts or fetches, {@code name (size)} as
 * {@code tar -v} names them, its control characters escaped; written above the progress bar, or on standard
 * output when no bar shows. Folders get no line.
 */
final class EntryLines implements ProgressListener {

    private final ConsoleProgress progress;

    private EntryLines(ConsoleProgress progress) {
        this.progress = progress;
    }

    /** The lines when {@code verbosity} asks for detail, else nothing. */
    static ProgressListener of(Verbosity verbosity, ConsoleProgress progress) {
        return verbosity.level() >= 1 ? new EntryLines(progress) : ProgressListener.NONE;
    }

    @Override
    public void entry(String path, long size) {
        if (path.endsWith("/")) {
            return;
        }
        String line = NameRules.printable(path) + " (" + DataSize.format(size) + ")";
        if (!progress.println(line)) {
            System.out.println(line);
        }
    }
}
