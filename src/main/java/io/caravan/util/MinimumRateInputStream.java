package io.caravan.util;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;

/**
 * An answer's body that must keep moving: over every {@code window} of time spent waiting in
 * {@code read}, at least {@code bytesPerSecond × window} bytes must arrive, or the read fails with
 * {@link TooSlowException}. A server that drips its answer (a byte now and then, never silent long
 * enough for the socket's read timeout) thus cannot hold a download for days: the answer takes at
 * most about its size divided by the rate, plus one window. Only time inside {@code read} counts, so a
 * reader that waits for a bandwidth limit or for its disk is never taken for a slow server.
 */
public final class MinimumRateInputStream extends FilterInputStream {

    /** The answer arrived more slowly than the minimum rate: taken as a connection that broke off. */
    public static final class TooSlowException extends IOException {
        TooSlowException(String message) {
            super(message);
        }
    }

    private final long bytesPerSecond;
    private final long windowNanos;
    private final Runnable hangUp;
    private long waitedInWindow;
    private long bytesInWindow;

    /** {@code hangUp} runs before a read fails for being too slow (it closes the connection, which is not drained). */
    public MinimumRateInputStream(InputStream in, long bytesPerSecond, Duration window, Runnable hangUp) {
        super(in);
        this.hangUp = hangUp;
        this.bytesPerSecond = bytesPerSecond;
        this.windowNanos = window.toNanos();
    }

    @Override
    public int read() throws IOException {
        long start = System.nanoTime();
        int b = super.read();
        account(start, b < 0 ? 0 : 1);
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        long start = System.nanoTime();
        int n = super.read(buffer, offset, length);
        account(start, Math.max(0, n));
        return n;
    }

    private void account(long start, int bytes) throws TooSlowException {
        waitedInWindow += System.nanoTime() - start;
        bytesInWindow += bytes;
        if (waitedInWindow < windowNanos) {
            return;
        }
        double seconds = waitedInWindow / 1e9;
        if (bytesInWindow < bytesPerSecond * seconds) {
            hangUp.run();
            throw new TooSlowException(String.format(java.util.Locale.ROOT, "the server sent %d bytes in %.0f s, less than"
                    + " the %d bytes/s a download needs (it drips its answer, or the link is too slow)", bytesInWindow,
                    seconds, bytesPerSecond));
        }
        waitedInWindow = 0;
        bytesInWindow = 0;
    }
}
