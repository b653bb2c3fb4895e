package io.caravan.bandwidth;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;

/**
 * A stream read no faster than a {@link TokenBucket} allows: each read asks for at most a slice of the bucket
 * ({@link TokenBucket#slice}) and takes the bytes it got from the bucket before it returns them, so every stream
 * sharing the bucket moves a little at a time. An interrupt while waiting ends the read with an
 * {@link InterruptedIOException}, the thread's interrupt kept.
 */
public final class LimitedInputStream extends FilterInputStream {

    private final TokenBucket bucket;

    public LimitedInputStream(InputStream in, TokenBucket bucket) {
        super(in);
        this.bucket = bucket;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            take(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        int n = super.read(buffer, offset, bucket.slice(length));
        if (n > 0) {
            take(n);
        }
        return n;
    }

    private void take(int bytes) throws InterruptedIOException {
        try {
            bucket.acquire(bytes);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the bandwidth limit");
        }
    }
}
