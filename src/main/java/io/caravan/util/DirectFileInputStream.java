package io.caravan.util;

import com.sun.nio.file.ExtendedOpenOption;
import io.caravan.fs.ConfinedDir;
import io.caravan.fs.UnsafePathException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import org.apache.commons.io.input.BoundedInputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Reads a file with O_DIRECT through a block-aligned buffer borrowed from a pool: for files written
 * around the page cache (chunk files, large extracted files), which reading through the cache would
 * first copy into it, at a CPU cost that on some machines exceeds hashing the data. {@link #open}
 * answers a plain stream where direct reads are not possible (no pooled buffer free, a file system
 * without direct I/O). The file is opened without following a link in its last segment and must be a
 * regular file: a link, a pipe, a device or a folder there is refused at once, never followed or waited on.
 */
public final class DirectFileInputStream extends BulkInputStream {

    private final FileChannel channel;
    private final ByteBuffer block;
    private final AlignedBuffers pool;
    /** Bytes of the range not yet read from the file. */
    private long left;
    private boolean end;
    private boolean closed;

    private DirectFileInputStream(FileChannel channel, ByteBuffer block, AlignedBuffers pool, long length) {
        this.channel = channel;
        this.block = block;
        this.pool = pool;
        this.left = length;
    }

    /** A stream of {@code file}'s bytes: read directly when a buffer of {@code pool} is free and the file system allows. */
    public static InputStream open(Path file, AlignedBuffers pool) throws IOException {
        return open(file, 0, Long.MAX_VALUE, pool);
    }

    /**
     * A stream of {@code length} bytes of {@code file} from {@code offset} (fewer where the file ends
     * first): read directly when the offset is block-aligned, a buffer of {@code pool} is free and the
     * file system allows.
     */
    public static InputStream open(Path file, long offset, long length, AlignedBuffers pool) throws IOException {
        ByteBuffer block = pool.enabled() && offset % AlignedBuffers.BLOCK == 0 ? pool.acquire() : null;
        if (block != null) {
            FileChannel channel = null;
            try {
                channel = ConfinedDir.readFile(file, ExtendedOpenOption.DIRECT);
                channel.position(offset);
                DirectFileInputStream in = new DirectFileInputStream(channel, block, pool, length);
                in.fill(); // the first read shows whether direct reads work here
                return in;
            } catch (IOException | RuntimeException e) {
                if (channel != null) {
                    channel.close();
                }
                // a file system without direct I/O (or a missing file, a link, a pipe: the plain open says so)
                pool.release(block);
            }
        }
        FileChannel channel = plain(file).position(offset);
        InputStream in = Channels.newInputStream(channel);
        return length == Long.MAX_VALUE ? in
                : BoundedInputStream.builder().setInputStream(in).setMaxCount(length).setPropagateClose(true).get();
    }

    /** {@code file} opened for plain reads; a link, pipe, device or folder there is an I/O failure like any other. */
    private static FileChannel plain(Path file) throws IOException {
        try {
            return ConfinedDir.readFile(file);
        } catch (UnsafePathException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private void fill() throws IOException {
        block.clear();
        int n = left <= 0 ? -1 : channel.read(block);
        block.flip();
        // a short read is the end of the file: the next offset would not be aligned
        end = n < block.capacity() || left <= block.limit();
        if (block.limit() > left) {
            block.limit((int) left);
        }
        left -= block.limit();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        if (len == 0) {
            return 0;
        }
        if (!block.hasRemaining()) {
            if (end) {
                return -1;
            }
            fill();
            if (!block.hasRemaining()) {
                return -1;
            }
        }
        int n = Math.min(len, block.remaining());
        block.get(b, off, n);
        return n;
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            try {
                channel.close();
            } finally {
                pool.release(block);
            }
        }
    }
}
