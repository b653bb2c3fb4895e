package io.caravan.pack;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * An in-memory chunk of at most {@code capacity} bytes; {@link #bytes()} avoids a copy when full.
 * It starts at 1 MiB and doubles up to the capacity, so a small parcel (a few files of a sync pass)
 * does not take a whole chunk of memory; full-size arrays are recycled by {@link PackIterator}.
 */
final class ChunkBuffer extends OutputStream {

    private static final int INITIAL = 1 << 20;

    private final long capacity;
    private byte[] data;
    private int size;

    ChunkBuffer(long capacity) {
        this.capacity = capacity;
        data = new byte[(int) Math.min(capacity, INITIAL)];
    }

    /** A buffer over a recycled array, overwritten from the start. */
    ChunkBuffer(byte[] recycled) {
        this.capacity = recycled.length;
        data = recycled;
    }

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        if (size + len > data.length) {
            long grown = Math.max(size + len, Math.min(capacity, 2L * data.length));
            data = Arrays.copyOf(data, (int) Math.min(Integer.MAX_VALUE - 8, grown));
        }
        System.arraycopy(b, off, data, size, len);
        size += len;
    }

    byte[] bytes() {
        return size == data.length ? data : Arrays.copyOf(data, size);
    }
}
