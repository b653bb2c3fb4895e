package io.caravan.util;

import java.io.IOException;
import java.io.InputStream;
import java.util.function.Supplier;

/**
 * A stream that reads at most {@code max} bytes of another: reading a byte beyond them throws the
 * exception its owner makes, never a silent end, so a reader parsing as it reads is refused an answer
 * that is too long without holding it. The stream below is asked for at most one byte past {@code max}.
 */
public final class CappedInputStream extends CountedInputStream {

    private final long max;
    private final Supplier<? extends Exception> tooLong;
    private long read;

    /**
     * {@code in}, of which more than {@code max} bytes fails with the exception {@code tooLong} makes: an
     * {@link IOException} or an unchecked exception, thrown as it is (any other is the cause of an IOException).
     */
    public CappedInputStream(InputStream in, long max, Supplier<? extends Exception> tooLong) {
        super(in);
        this.max = max;
        this.tooLong = tooLong;
    }

    @Override
    protected long room(long asked) {
        return Math.min(asked, max - read + 1);
    }

    @Override
    protected void counted(long n) throws IOException {
        read += n;
        if (read > max) {
            Exception failure = tooLong.get();
            if (failure instanceof IOException e) {
                throw e;
            }
            if (failure instanceof RuntimeException e) {
                throw e;
            }
            throw new IOException(failure);
        }
    }
}
