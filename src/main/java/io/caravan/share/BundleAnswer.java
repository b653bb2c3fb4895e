package io.caravan.share;

import io.caravan.catalog.CatalogService;
import io.caravan.catalog.PieceAnswer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.Iterator;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * The answer to {@code POST /shares/{name}/files} in the {@link ShareBundle} format, sent by Netty's
 * chunked writer in pieces of at most {@value #PIECE} bytes (no more than the connection takes:
 * {@link #pieceSize}, lengths included): each file is opened (inside the share, no
 * link followed) when the answer comes to it and read straight into the connection's buffers. No
 * thread waits on it, so any number of followers are served at once, however slowly they read, and at
 * most one file of the answer is open at a time.
 *
 * <p>A file that ends before the size it had when it was opened ends the answer there, inside its
 * content (a complete chunked answer whose last length is not met: the follower sees it cut short and
 * fetches the rest on its own), with a warning.
 *
 * <p>A path that cannot be served gets the length {@code -1}, and so does a file over
 * {@link ShareBundle#MAX_FILE} or one that would take the answer past {@link ShareBundle#MAX_ANSWER} bytes
 * (a path asked for many times counts each time): the work one request asks is bounded. The open file
 * is closed when the transfer ends, whichever way.
 */
final class BundleAnswer extends PieceAnswer {

    /** Bytes gathered per piece at most. */
    static final int PIECE = 256 * 1024;

    private final CatalogService files;
    private final Iterator<String> paths;
    private final LongConsumer served;
    private String path;
    private FileChannel current;
    private long position;
    private long left;
    private long size;
    /** Bytes of content this answer has taken on so far (at most {@link ShareBundle#MAX_ANSWER}). */
    private long answered;
    /** A file shrank while it was served: nothing more is sent. */
    private boolean ended;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(BundleAnswer.class);

    /** Serves {@code paths} of {@code files} in the order given; {@code served} is told each file's size once it is out. */
    BundleAnswer(CatalogService files, List<String> paths, LongConsumer served) {
        super(HttpResponseStatus.OK);
        this.files = files;
        this.paths = List.copyOf(paths).iterator();
        this.served = served;
        headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        headers().set(HttpHeaderNames.CONTENT_TYPE, ShareBundle.CONTENT_TYPE);
    }

    @Override
    protected HttpContent nextPiece(ByteBufAllocator allocator) throws Exception {
        int most = pieceSize(PIECE);
        ByteBuf piece = allocator.buffer(most, most);
        try {
            while (!ended && piece.readableBytes() < most
                    && (current != null || piece.writableBytes() >= Long.BYTES && open(piece))) {
                if (current == null) {
                    continue; // not served, or empty: its length is all it takes
                }
                int want = (int) Math.min(left, most - piece.readableBytes());
                if (want <= 0) {
                    break; // the length just written filled the piece
                }
                int read = piece.writeBytes(current, position, want);
                if (read < 0) {
                    // the answer ends inside this file's content: its lengths tell the follower it is cut short
                    LOG.warn("share: '{}' shrank while a bundle served it ({} of its {} bytes sent): the answer ends there,"
                            + " and the follower fetches what it did not get on its own", path, size - left, size);
                    current.close();
                    current = null;
                    ended = true;
                    break;
                }
                position += read;
                left -= read;
                if (left == 0) {
                    done();
                }
            }
        } catch (IOException | RuntimeException e) {
            piece.release();
            throw e;
        }
        if (piece.readableBytes() == 0) {
            piece.release();
            return LastHttpContent.EMPTY_LAST_CONTENT;
        }
        return new DefaultHttpContent(piece);
    }

    /** Opens the next path and writes its length into {@code piece}; false when every path is answered. */
    private boolean open(ByteBuf piece) throws IOException {
        if (!paths.hasNext()) {
            return false;
        }
        path = paths.next();
        CatalogService.OpenFile file;
        try {
            file = files.file(path, null);
        } catch (IOException | RuntimeException e) { // refused names included: the follower asks alone and sees why
            piece.writeLong(ShareBundle.NOT_SERVED);
            return true;
        }
        if (file.size() > ShareBundle.MAX_FILE || answered + file.size() > ShareBundle.MAX_ANSWER) {
            file.channel().close(); // larger than a bundle takes, or past its total: the follower asks alone
            piece.writeLong(ShareBundle.NOT_SERVED);
            return true;
        }
        answered += file.size();
        current = file.channel();
        position = current.position();
        size = file.size();
        left = size;
        piece.writeLong(size);
        if (left == 0) {
            done();
        }
        return true;
    }

    private void done() throws IOException {
        FileChannel file = current;
        current = null;
        file.close();
        served.accept(size);
    }

    @Override
    protected void closeSource() throws IOException {
        if (current != null) {
            current.close();
            current = null;
        }
    }
}
