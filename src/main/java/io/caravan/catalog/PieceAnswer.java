package io.caravan.catalog;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.camel.component.netty.http.OutboundStreamHttpResponse;

/**
 * An answer whose body Netty's chunked writer takes piece by piece from {@link #nextPiece}, whenever the
 * connection can take more (camel-netty-http sends an {@link OutboundStreamHttpResponse} so). The
 * subclass says what the pieces are; this class keeps the writer's bookkeeping: the end once the last
 * piece is out, and the bytes handed over. An answer admitted to its receiver's {@link AnswerMemory}
 * makes its pieces no larger than its connection takes ({@link #pieceSize}) and gives its reservation
 * back when it is closed (sent, failed, or its connection gone).
 */
public abstract class PieceAnswer extends OutboundStreamHttpResponse {

    /** The smallest piece an answer bound to a connection hands over (a page of Netty's pooled buffers). */
    public static final int MIN_PIECE = 8 * 1024;

    private volatile boolean lastSent;
    private volatile long progress;
    private volatile Channel channel;
    /** Gives the answer's memory back (once); null when it holds none. */
    private final AtomicReference<Runnable> release = new AtomicReference<>();
    private volatile ChannelFutureListener onChannelClosed;
    /** Whether the connection is closed once the answer's last piece is sent (a request that is not keep-alive). */
    private volatile boolean closeAfter;

    protected PieceAnswer(HttpResponseStatus status) {
        super(InputStream.nullInputStream(), new DefaultHttpResponse(HttpVersion.HTTP_1_1, status));
    }

    /**
     * The next piece of the body: content to send, a {@code LastHttpContent} to end it (nothing is asked
     * after that), or null when nothing is ready yet (the subclass wakes the transfer when it is).
     */
    protected abstract HttpContent nextPiece(ByteBufAllocator allocator) throws Exception;

    /**
     * The bytes the next piece may take, at most {@code most}: outside a connection {@code most}; on one,
     * what its write buffer takes before Netty stops asking for pieces, in whole {@link #MIN_PIECE}s, and
     * at least one of them. So what waits for a client that does not read stays within Netty's high-water
     * mark and a piece, whatever the answer.
     */
    protected final int pieceSize(int most) {
        Channel bound = channel;
        if (bound == null) {
            return most;
        }
        long room = bound.bytesBeforeUnwritable() / MIN_PIECE * MIN_PIECE;
        return (int) Math.min(most, Math.max(MIN_PIECE, room));
    }

    /** Sizes the pieces by {@code connection}; {@code giveBack} runs once, when the answer is closed or the connection is. */
    final void boundTo(Channel connection, Runnable giveBack) {
        channel = connection;
        release.set(giveBack);
        // an answer Netty never took (its request failed later) is let go with its connection at the latest
        ChannelFutureListener closed = future -> giveBack();
        onChannelClosed = closed;
        connection.closeFuture().addListener(closed);
    }

    private void giveBack() {
        Runnable giving = release.getAndSet(null);
        if (giving != null) {
            giving.run();
            Channel bound = channel;
            ChannelFutureListener closed = onChannelClosed;
            if (bound != null && closed != null) {
                bound.closeFuture().removeListener(closed);
            }
        }
    }

    /**
     * Has the connection closed once the last piece is sent, not when the head is (netty-http's own
     * close-when-complete follows the head's write, and would cut off a body whose pieces come later);
     * false when the answer is bound to no connection, so the caller must close it another way.
     */
    final boolean closeConnectionAfter() {
        closeAfter = channel != null;
        return closeAfter;
    }

    /** Closes what the body is read from (Netty's writer calls {@link #close} when the transfer ends, whichever way). */
    protected abstract void closeSource() throws IOException;

    @Override
    public final void close() throws IOException {
        try {
            closeSource();
        } finally {
            giveBack();
            Channel bound = channel;
            if (closeAfter && bound != null) {
                bound.close(); // called once the last piece is written (or the transfer failed)
            }
        }
    }

    @Override
    public final HttpContent readChunk(ByteBufAllocator allocator) throws Exception {
        if (lastSent) {
            return null;
        }
        HttpContent piece = nextPiece(allocator);
        if (piece instanceof io.netty.handler.codec.http.LastHttpContent) {
            lastSent = true;
        }
        if (piece != null) {
            progress += piece.content().readableBytes();
        }
        return piece;
    }

    @Override
    public final HttpContent readChunk(ChannelHandlerContext context) throws Exception {
        return readChunk(context.alloc());
    }

    @Override
    public final boolean isEndOfInput() {
        return lastSent;
    }

    @Override
    public final long progress() {
        return progress;
    }
}
