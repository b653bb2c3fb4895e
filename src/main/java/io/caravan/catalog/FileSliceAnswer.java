package io.caravan.catalog;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.function.LongConsumer;

/**
 * An answer whose body is {@code length} bytes of an open file from {@code position}, sent by Netty's
 * chunked writer in pieces of at most {@value #PIECE} bytes (no more than the connection takes:
 * {@link #pieceSize}) read from the file straight into the connection's
 * pooled buffers: no copy through the heap, and a thirty-second of the writes an {@code InputStream}
 * body costs (Netty reads those 8 KiB at a time). No thread waits on it: Netty takes a piece whenever
 * the connection can take more.
 *
 * <p>A file that ends before its slice does (it was cut while it was served) fails the answer: the
 * connection closes and the client sees a body shorter than its {@code Content-Length}, never a short
 * answer that looks complete. The file is closed when the transfer ends, whichever way.
 */
public final class FileSliceAnswer extends PieceAnswer {

    /** Bytes read and handed to Netty per piece at most. */
    static final int PIECE = 256 * 1024;

    private final FileChannel file;
    private final long end;
    private final long length;
    private final LongConsumer sent;
    private long position;

    /**
     * Answers {@code status} with {@code length} bytes of {@code file} from {@code position};
     * {@code sent} is told the size of every piece handed to the connection.
     */
    public FileSliceAnswer(HttpResponseStatus status, FileChannel file, long position, long length, LongConsumer sent) {
        super(status);
        if (position < 0 || length < 0) {
            throw new IllegalArgumentException("a slice needs a position and a length of at least 0");
        }
        this.file = file;
        this.position = position;
        this.end = position + length;
        this.length = length;
        this.sent = sent;
    }

    @Override
    protected HttpContent nextPiece(ByteBufAllocator allocator) throws Exception {
        if (position >= end) {
            return LastHttpContent.EMPTY_LAST_CONTENT;
        }
        int size = (int) Math.min(pieceSize(PIECE), end - position);
        ByteBuf piece = allocator.buffer(size);
        try {
            while (piece.readableBytes() < size) {
                int read = piece.writeBytes(file, position + piece.readableBytes(), size - piece.readableBytes());
                if (read < 0) {
                    throw new EOFException("the file ended at byte " + (position + piece.readableBytes())
                            + " while " + end + " bytes were being served: it changed meanwhile");
                }
            }
        } catch (IOException | RuntimeException e) {
            piece.release();
            throw e;
        }
        position += size;
        sent.accept(size);
        return new DefaultHttpContent(piece);
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    protected void closeSource() throws IOException {
        file.close();
    }
}
