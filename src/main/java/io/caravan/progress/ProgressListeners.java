package io.caravan.progress;

import java.util.List;

/** Combines listeners so one event reaches each of them in turn. */
public final class ProgressListeners {

    private ProgressListeners() {
    }

    /**
     * A listener that only logs the warnings of the work on parcel {@code parcel} (a special file skipped, a file
     * that changed while read), one WARN line each naming the parcel: for routes, which have no terminal.
     */
    public static ProgressListener warningsLogged(org.slf4j.Logger log, String parcel) {
        return new ProgressListener() {
            @Override
            public void warning(String message) {
                log.warn("parcel '{}': {}", parcel, message);
            }
        };
    }

    public static ProgressListener of(ProgressListener... listeners) {
        List<ProgressListener> all = List.of(listeners);
        return new ProgressListener() {
            @Override
            public void started(String operation, long totalBytes, long totalFiles) {
                all.forEach(l -> l.started(operation, totalBytes, totalFiles));
            }

            @Override
            public void entry(String path, long size) {
                all.forEach(l -> l.entry(path, size));
            }

            @Override
            public void bytes(long bytes) {
                all.forEach(l -> l.bytes(bytes));
            }

            @Override
            public void chunk(int index, long size) {
                all.forEach(l -> l.chunk(index, size));
            }

            @Override
            public void warning(String message) {
                all.forEach(l -> l.warning(message));
            }

            @Override
            public void finished(boolean success) {
                all.forEach(l -> l.finished(success));
            }
        };
    }
}
