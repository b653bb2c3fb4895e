package io.caravan.receiver;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.function.Consumer;

/**
 * Gathers the body of a chunk upload ({@code PUT} with a {@code Content-Length}, already admitted by
 * the {@link RequestGate}) into one buffer of exactly its declared size, copying each piece the decoder
 * hands out and letting it go at once, and passes the whole request on (the aggregator behind lets a
 * whole request through). A connection so holds one body's worth of memory per upload, however slowly
 * its bytes arrive: aggregated from the decoder's pieces, which are slices of the buffer each socket
 * read filled, a body pinned many times its size on a slow link, and four chunks of 8 MiB in flight
 * over a 200 Mbit/s link exhausted the receiver's 128 MiB of direct memory. A client that asks
 * {@code Expect: 100-continue} gets its {@code 100 Continue} here, before the buffer is taken (as the
 * aggregator answers it before it holds any of the body). When the buffer cannot be had, the upload is
 * answered with 503 {@code busy} and the connection closed: nothing was stored, the sender retries later.
 */
final class UploadGathering extends ChannelInboundHandlerAdapter {

    private final long maxUploadBody;
    private final Consumer<String> rejected;
    private HttpRequest request;
    private ByteBuf body;
    /** Refused for want of memory: the rest of its body is dropped until the connection closes. */
    private boolean refused;

    /** {@code rejected} is told the error code of each upload refused here (for the metrics). */
    UploadGathering(long maxUploadBody, Consumer<String> rejected) {
        this.maxUploadBody = maxUploadBody;
        this.rejected = rejected;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest started && !(msg instanceof FullHttpMessage) && gathers(started)) {
            long length = HttpUtil.getContentLength(started, -1L);
            if (HttpUtil.is100ContinueExpected(started)) {
                // first, while the memory it takes to say so is still there (as the aggregator does)
                started.headers().remove(HttpHeaderNames.EXPECT);
                // from the channel's end: the response encoder sits behind this handler in netty-http's pipeline
                ctx.channel().writeAndFlush(new DefaultFullHttpResponse(started.protocolVersion(), HttpResponseStatus.CONTINUE,
                        Unpooled.EMPTY_BUFFER));
            }
            try {
                body = ctx.alloc().directBuffer((int) length, (int) length);
            } catch (OutOfMemoryError e) {
                refuse(ctx, started, e);
                return;
            }
            request = started;
        } else if (refused && msg instanceof HttpContent piece) {
            piece.release();
        } else if (request != null && msg instanceof HttpContent piece) {
            try {
                ByteBuf bytes = piece.content();
                body.writeBytes(bytes, bytes.readerIndex(), Math.min(bytes.readableBytes(), body.writableBytes()));
            } finally {
                piece.release();
            }
            if (msg instanceof LastHttpContent last) {
                DefaultFullHttpRequest whole = new DefaultFullHttpRequest(request.protocolVersion(), request.method(),
                        request.uri(), body, request.headers(), last.trailingHeaders());
                whole.setDecoderResult(request.decoderResult());
                request = null;
                body = null;
                ctx.fireChannelRead(whole);
            }
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    private void refuse(ChannelHandlerContext ctx, HttpRequest started, OutOfMemoryError cause) {
        refused = true;
        ReferenceCountUtil.release(started);
        rejected.accept("busy");
        FullHttpResponse answer = NettyJsonAnswers.error(HttpResponseStatus.SERVICE_UNAVAILABLE, "busy",
                OutOfMemoryAnswer.message(cause));
        answer.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.channel().writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
    }

    /** An upload with a body of a known size within the limit (the gate refused larger ones already). */
    private boolean gathers(HttpRequest started) {
        long length = HttpUtil.getContentLength(started, -1L);
        return started.method().equals(HttpMethod.PUT) && length > 0 && length <= Math.min(maxUploadBody, Integer.MAX_VALUE)
                && !HttpUtil.isTransferEncodingChunked(started);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        letGo();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        letGo();
    }

    private void letGo() {
        if (body != null) {
            body.release();
            body = null;
            request = null;
        }
    }
}
