package io.caravan.session;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * When the last chunk began to arrive, so that background work (hashing published files for the
 * content index) runs only while no upload is running. Starts out as if a chunk had just arrived.
 */
public final class UploadActivity {

    private volatile long lastChunkNanos = System.nanoTime();

    /** A chunk is arriving now. */
    public void chunkArriving() {
        lastChunkNanos = System.nanoTime();
    }

    /** Whether no chunk has arrived for at least {@code quiet}. */
    public boolean quietFor(Duration quiet) {
        return System.nanoTime() - lastChunkNanos >= quiet.toNanos();
    }

    /** {@link #quietFor} as a signal: true while no chunk has arrived for {@code quiet}. */
    public BooleanSupplier idleAfter(Duration quiet) {
        return () -> quietFor(quiet);
    }
}
