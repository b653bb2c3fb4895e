package io.caravan.util;

import java.io.IOException;
import java.io.InputStream;

/**
 * An input stream that only implements reads into an array; the single-byte {@link #read()}
 * (rarely called: every reader of these streams reads blocks) goes through it.
 */
public abstract class BulkInputStream extends InputStream {

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public abstract int read(byte[] b, int off, int len) throws IOException;
}
