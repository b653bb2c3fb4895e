package io.caravan.pack;

import java.io.OutputStream;
import java.util.Arrays;

/** An in-memory chunk of at most {@code capacity} bytes; {@link #bytes()} avoids a copy when full. */
final class ChunkBuffer extends OutputStream {

    private static final int MAX_INITIAL = 64 * 1024 * 1024;

    private byte[] data;
    private int size;

    ChunkBuffer(long capacity) {
        data = new byte[(int) Math.min(capacity, MAX_INITIAL)];
    }

    /** A buffer over a recycled array, overwritten from the start. */
    ChunkBuffer(byte[] recycled) {
        data = recycled;
    }

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        if (size + len > data.length) {
            data = Arrays.copyOf(data, Math.max(size + len, data.length * 2));
        }
        System.arraycopy(b, off, data, size, len);
        size += len;
    }

    byte[] bytes() {
        return size == data.length ? data : Arrays.copyOf(data, size);
    }
}
