package io.caravan.session;

import java.io.InputStream;
import java.nio.ByteBuffer;

/** Reads a chunk body kept in memory; lets it go once, on close. */
final class HeldBodyInputStream extends InputStream {

    private final HeldBody body;
    private final Runnable onClose;
    private int part;
    private boolean closed;

    HeldBodyInputStream(HeldBody body, Runnable onClose) {
        this.body = body;
        this.onClose = onClose;
    }

    @Override
    public int read() {
        ByteBuffer current = current();
        return current == null ? -1 : current.get() & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (len == 0) {
            return 0;
        }
        ByteBuffer current = current();
        if (current == null) {
            return -1;
        }
        int n = Math.min(len, current.remaining());
        current.get(b, off, n);
        return n;
    }

    private ByteBuffer current() {
        while (!closed && part < body.buffers().length) {
            ByteBuffer buffer = body.buffers()[part];
            if (buffer.hasRemaining()) {
                return buffer;
            }
            part++;
        }
        return null;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            onClose.run();
        }
    }
}
