package io.caravan.util;

import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongFunction;

/**
 * A stream that reads at most what its content can need: {@code base} bytes, plus {@code perItem} for each
 * item its reader has taken from it ({@link #item}), plus {@code perSecond} for each second since it was made
 * (what a server sends to keep an answer alive while it works). More fails with the IOException
 * {@code tooLong} makes of the bytes read, so an answer padded without end (whitespace, which a JSON reader
 * skips at full speed) is refused instead of keeping a reader busy for good.
 */
public final class GrowingCapInputStream extends CountedInputStream {

    private final long base;
    private final long perItem;
    private final long perSecond;
    private final LongFunction<IOException> tooLong;
    private final long started = System.nanoTime();
    private long items;
    private long read;

    public GrowingCapInputStream(InputStream in, long base, long perItem, long perSecond, LongFunction<IOException> tooLong) {
        super(in);
        this.base = base;
        this.perItem = perItem;
        this.perSecond = perSecond;
        this.tooLong = tooLong;
    }

    /** The reader took one more item: the stream may hold {@code perItem} bytes more. */
    public void item() {
        items++;
    }

    @Override
    protected void counted(long n) throws IOException {
        read += n;
        long seconds = (System.nanoTime() - started) / 1_000_000_000L;
        long allowed = base + items * perItem + seconds * perSecond; // items are bounded by the reader, far below overflow
        if (read > allowed) {
            throw tooLong.apply(read);
        }
    }
}
