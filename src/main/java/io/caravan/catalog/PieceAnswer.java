package io.caravan.catalog;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.InputStream;
import org.apache.camel.component.netty.http.OutboundStreamHttpResponse;

/**
 * An answer whose body Netty's chunked writer takes piece by piece from {@link #nextPiece}, whenever the
 * connection can take more (camel-netty-http sends an {@link OutboundStreamHttpResponse} so). The
 * subclass says what the pieces are; this class keeps the writer's bookkeeping: the end once the last
 * piece is out, and the bytes handed over.
 */
public abstract class PieceAnswer extends OutboundStreamHttpResponse {

    private volatile boolean lastSent;
    private volatile long progress;

    protected PieceAnswer(HttpResponseStatus status) {
        super(InputStream.nullInputStream(), new DefaultHttpResponse(HttpVersion.HTTP_1_1, status));
    }

    /**
     * The next piece of the body: content to send, a {@code LastHttpContent} to end it (nothing is asked
     * after that), or null when nothing is ready yet (the subclass wakes the transfer when it is).
     */
    protected abstract HttpContent nextPiece(ByteBufAllocator allocator) throws Exception;

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
