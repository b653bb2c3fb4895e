package io.caravan.util;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Supplier;

/**
 * A stream that reads at most {@code max} bytes of another: reading a byte beyond them is an
 * {@link IOException} with the caller's message, never a silent end, so a reader parsing as it reads
 * is refused an answer that is too long without holding it.
 */
public final class CappedInputStream extends FilterInputStream {

    private final long max;
    private final Supplier<String> tooLong;
    private long read;

    /** {@code in}, of which more than {@code max} bytes fails with {@code tooLong}'s message. */
    public CappedInputStream(InputStream in, long max, Supplier<String> tooLong) {
        super(in);
        this.max = max;
        this.tooLong = tooLong;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            counted(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, (int) Math.min(length, max - read + 1));
        if (n > 0) {
            counted(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = super.skip(Math.min(n, max - read + 1));
        counted(skipped);
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private void counted(long n) throws IOException {
        read += n;
        if (read > max) {
            throw new IOException(tooLong.get());
        }
    }
}
