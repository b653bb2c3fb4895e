package io.caravan.sync;

import io.caravan.progress.ProgressListener;
import java.util.List;

/**
 * Prints {@code Copying <path>: x/y (p%)} while a parcel of one large file is packed and uploaded
 * (packing runs at most two chunks ahead of the upload): at most once a second, and at the end.
 */
final class LargeFileProgress implements ProgressListener {

    private static final long LARGE = 1L << 20;

    private final SyncConsole console;
    private final String path;
    private final long total;
    private long done;
    private long lastPrint;

    LargeFileProgress(List<SyncEntry> batch, SyncConsole console) {
        this.console = console;
        boolean single = batch.size() == 1 && batch.get(0).size() >= LARGE;
        this.path = single ? batch.get(0).path() : null;
        this.total = single ? batch.get(0).size() : 0;
    }

    @Override
    public void bytes(long bytes) {
        if (path == null) {
            return;
        }
        done += bytes;
        long now = System.nanoTime();
        if (done >= total || now - lastPrint >= 1_000_000_000L) {
            lastPrint = now;
            console.copying(path, done, total);
        }
    }
}
