package io.caravan.util;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A stream that tells its subclass every byte read or skipped ({@link #counted}), which may refuse them by
 * throwing, and may ask the stream below for fewer bytes than a reader asks ({@link #room}).
 */
abstract class CountedInputStream extends FilterInputStream {

    protected CountedInputStream(InputStream in) {
        super(in);
    }

    /** {@code n} bytes more were read (or skipped); throws when they are more than the stream may give. */
    protected abstract void counted(long n) throws IOException;

    /** At most how many of {@code asked} bytes to ask the stream below for: all of them unless a subclass says less. */
    protected long room(long asked) {
        return asked;
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
        int n = super.read(buffer, offset, (int) room(length));
        if (n > 0) {
            counted(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = super.skip(room(n));
        counted(skipped);
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }
}
