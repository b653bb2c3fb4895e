package io.caravan.catalog;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Reads {@code length} bytes of a file from its channel's current position, then ends; {@link #available()}
 * never counts past that end (Netty's chunked writer asks it to decide whether the input is over).
 */
public final class RangeInputStream extends InputStream {

    private final FileChannel channel;
    private long left;

    public RangeInputStream(FileChannel channel, long length) {
        this.channel = channel;
        this.left = length;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (left <= 0) {
            return -1;
        }
        if (len == 0) {
            return 0;
        }
        int n = channel.read(ByteBuffer.wrap(b, off, (int) Math.min(len, left)));
        if (n < 0) {
            left = 0; // the file shrank meanwhile: end here, the client sees a short body
            return -1;
        }
        left -= n;
        return n;
    }

    @Override
    public int available() {
        return (int) Math.min(left, 256 * 1024);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
