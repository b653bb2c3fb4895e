package io.caravan.util;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A few reusable direct buffers aligned to whole disk blocks, through which chunk bodies are
 * written with O_DIRECT (the request's own buffers have no such alignment). At most {@code count}
 * exist; when all are in use {@link #acquire} answers null and the caller writes through the page
 * cache instead, so the pool bounds memory without ever failing a write.
 */
public final class AlignedBuffers {

    /** Alignment of addresses, file offsets and lengths: a multiple of every common logical block size. */
    public static final int BLOCK = 4096;
    /** Size of each buffer: large enough for few system calls, small enough to stay in cache while hashed. */
    public static final int SIZE = 1 << 20;

    private final int count;
    private final Deque<ByteBuffer> free = new ArrayDeque<>();
    private int allocated;

    /** At most {@code count} buffers of {@link #SIZE} bytes; 0 turns direct writes off. */
    public AlignedBuffers(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("the number of write buffers must not be negative: " + count);
        }
        this.count = count;
    }

    public boolean enabled() {
        return count > 0;
    }

    /** A cleared buffer of {@link #SIZE} bytes, or null when all of them are in use. */
    public synchronized ByteBuffer acquire() {
        ByteBuffer buffer = free.poll();
        if (buffer == null) {
            if (allocated >= count) {
                return null;
            }
            try {
                buffer = ByteBuffer.allocateDirect(SIZE + BLOCK).alignedSlice(BLOCK).limit(SIZE).slice();
            } catch (OutOfMemoryError e) {
                return null; // direct memory is short (-XX:MaxDirectMemorySize): the page cache path needs none
            }
            allocated++;
        }
        return buffer.clear();
    }

    /** Gives a buffer from {@link #acquire} back for reuse. */
    public synchronized void release(ByteBuffer buffer) {
        free.push(buffer);
    }

    /** Bytes allocated so far (in use or free); never more than {@code count} buffers. */
    public synchronized long allocatedBytes() {
        return (long) allocated * SIZE;
    }

    public static long roundUp(long value, long unit) {
        return (value + unit - 1) / unit * unit;
    }
}
