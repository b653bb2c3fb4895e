package io.caravan.util;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes a stream of bytes into an existing file from a block-aligned position, around the page cache
 * (O_DIRECT) through one pooled aligned buffer: whole blocks go straight to the disk, a last part block
 * through the page cache, so nothing beyond the stream's end is written. Where direct I/O is not possible
 * (no free buffer, an unaligned position, a file system that refuses it) every byte goes through
 * {@code fallback}, the caller's ordinary channel, at the same positions.
 */
public final class PositionedDirectWriter implements AutoCloseable {

    private final FileChannel fallback;
    private final AlignedBuffers pool;
    private FileChannel direct;
    private ByteBuffer block;
    /** Where the next byte of the stream goes in the file. */
    private long position;
    /** Where the bytes held in {@code block} start in the file. */
    private long blockStart;
    /** The file system refused a direct write: whole blocks go through {@code fallback} too. */
    private boolean refused;

    /** A writer of the bytes that go to {@code file} from {@code position}; {@code fallback} is that file opened for writing. */
    public PositionedDirectWriter(Path file, FileChannel fallback, long position, AlignedBuffers pool) {
        this.fallback = fallback;
        this.pool = pool;
        this.position = position;
        this.blockStart = position;
        if (pool.enabled() && position % AlignedBuffers.BLOCK == 0) {
            block = pool.acquire();
            if (block != null) {
                try {
                    direct = FileChannel.open(file, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT);
                } catch (IOException | UnsupportedOperationException e) {
                    pool.release(block);
                    block = null;
                }
            }
        }
    }

    /** Writes all of {@code bytes}. */
    public void write(ByteBuffer bytes) throws IOException {
        if (block == null) {
            while (bytes.hasRemaining()) {
                position += fallback.write(bytes, position);
            }
            return;
        }
        while (bytes.hasRemaining()) {
            int n = Math.min(block.remaining(), bytes.remaining());
            block.put(block.position(), bytes, bytes.position(), n);
            block.position(block.position() + n);
            bytes.position(bytes.position() + n);
            position += n;
            if (!block.hasRemaining()) {
                flushWholeBlocks();
            }
        }
    }

    /** Writes what is held: whole blocks directly, the rest through the page cache; lets the buffer go. */
    @Override
    public void close() throws IOException {
        if (block == null) {
            return;
        }
        try {
            flushWholeBlocks();
            block.flip();
            while (block.hasRemaining()) {
                blockStart += fallback.write(block, blockStart);
            }
        } finally {
            direct.close();
            pool.release(block);
            block = null;
        }
    }

    private void flushWholeBlocks() throws IOException {
        int held = block.position();
        int whole = held - held % AlignedBuffers.BLOCK;
        block.flip().limit(whole);
        while (block.hasRemaining()) {
            try {
                blockStart += (refused ? fallback : direct).write(block, blockStart);
            } catch (IOException e) {
                if (refused) {
                    throw e;
                }
                refused = true; // opened with O_DIRECT but refuses the writes: the page cache takes the rest
            }
        }
        block.limit(held);
        block.compact();
    }
}
