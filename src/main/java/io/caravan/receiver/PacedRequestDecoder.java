package io.caravan.receiver;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.traffic.AbstractTrafficShapingHandler;
import io.netty.util.AttributeKey;
import java.util.List;

/**
 * The request decoder of a receiver connection, which takes one request at a time: the next request is
 * decoded only once the answer to the one before has left Netty's buffer whole for the kernel's queue to
 * the client, and only while the connection is writable (below its write high-water mark). Until then the
 * bytes of the requests that follow wait undecoded and nothing more is read from the connection, so a
 * client that pipelines requests and never reads their answers holds, whatever it asks, one answer in the
 * receiver (and what the kernel queues for it), not an answer per request it sent; it is read again as
 * soon as it takes its answers. Pipelining clients that read get every answer in the order of their requests, also those
 * the {@link RequestGate} gives from a request's headers (a 401 never overtakes the answer before it).
 *
 * <p>Three parts work together: this decoder (in place of netty-http's, put there by the {@link RequestGate}),
 * {@link #heldReads()} first in the pipeline, which lets no read through while requests wait undecoded
 * (a decoder or aggregator asks for one when it has nothing whole, the bandwidth limit when it reopens),
 * and {@link #answerEnds()} on the outbound side before the encoder, which sees each answer end. A
 * connection whose client takes nothing waits like an idle one and is closed by its {@link ConnectionWatch}
 * after {@code caravan.receiver.idle-timeout}. Used on the connection's event loop only.
 */
final class PacedRequestDecoder extends HttpRequestDecoder {

    /** The longest request line read (a name of 3072 bytes, percent-encoded, fits). */
    static final int MAX_REQUEST_LINE = 16384;
    /** The most bytes of headers a request may have. */
    static final int MAX_HEADERS = 8192;
    /** The largest piece of a body handed on at once. */
    static final int MAX_PIECE = 1 << 20;

    /** Set by Netty's traffic shaping while it holds a connection's reads back (caravan.receiver.bwlimit). */
    private static final AttributeKey<Boolean> SHAPER_SUSPENDED =
            AttributeKey.valueOf(AbstractTrafficShapingHandler.class.getName() + ".READ_SUSPENDED");

    private ChannelHandlerContext context;
    /** A request was decoded whose answer has not ended yet. */
    private boolean answering;
    /** The decoder is at the start of a request (not within one's head or body). */
    private boolean betweenRequests = true;
    /** Bytes of requests wait undecoded; the connection is not read. */
    private boolean holding;

    PacedRequestDecoder() {
        super(MAX_REQUEST_LINE, MAX_HEADERS, MAX_PIECE);
    }

    /**
     * A request with both a {@code Content-Length} and chunked transfer coding is read as chunked (Netty drops the
     * length) and marked unreadable, so the {@link RequestGate} refuses it with 400 and closes the connection:
     * two readers of such a request (a proxy before the receiver, and the receiver) may disagree on where its
     * body ends, which is how requests are smuggled (RFC 9112, section 6.1).
     */
    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
        super.handleTransferEncodingChunkedWithContentLength(message);
        message.setDecoderResult(DecoderResult.failure(new IllegalArgumentException(
                "it has both Content-Length and Transfer-Encoding: chunked; send one of them")));
    }

    /** Whether bytes of requests wait undecoded (and the connection unread) until the client takes answers. */
    boolean holding() {
        return holding;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        context = ctx;
        super.handlerAdded(ctx);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
        if (betweenRequests && (answering || !ctx.channel().isWritable())) {
            holding = true; // nothing taken: the bytes stay, decoded once the answer before has gone
            ctx.channel().config().setAutoRead(false);
            return;
        }
        int before = out.size();
        super.decode(ctx, buffer, out);
        for (int i = before; i < out.size(); i++) {
            Object message = out.get(i);
            if (message instanceof HttpRequest) {
                answering = true;
                betweenRequests = false;
            }
            if (message instanceof LastHttpContent) {
                betweenRequests = true;
            }
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        super.channelWritabilityChanged(ctx);
        if (ctx.channel().isWritable()) {
            resume();
        }
    }

    /** An answer ended (its last bytes handed to the kernel): the next request may be decoded. */
    private void answered() {
        answering = false;
        if (holding) {
            context.executor().execute(this::resume); // not within the write that ended the answer
        }
    }

    /** Decodes the requests that wait, once the connection may take another; then reads the connection again. */
    private void resume() {
        Channel channel = context.channel();
        if (!holding || answering || !channel.isWritable() || !channel.isActive() || context.isRemoved()) {
            return;
        }
        holding = false;
        try {
            channelRead(context, Unpooled.EMPTY_BUFFER); // decodes what is held, up to the next request it holds again
            channelReadComplete(context);
        } catch (Exception e) {
            context.fireExceptionCaught(e);
            return;
        }
        if (!holding && !Boolean.TRUE.equals(channel.attr(SHAPER_SUSPENDED).get())) {
            channel.config().setAutoRead(true);
            channel.read();
        }
    }

    /** The handler to put first in the pipeline: no read reaches the connection while requests wait undecoded. */
    ChannelOutboundHandlerAdapter heldReads() {
        return new ChannelOutboundHandlerAdapter() {
            @Override
            public void read(ChannelHandlerContext ctx) {
                if (!holding) {
                    ctx.read();
                }
            }
        };
    }

    /**
     * The outbound handler to put before the encoder: the end of each answer (not of a {@code 100 Continue}), once
     * its last bytes have left Netty's buffer for the kernel's.
     */
    ChannelOutboundHandlerAdapter answerEnds() {
        return new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                boolean interim = msg instanceof HttpResponse head && head.status().codeClass() == HttpStatusClass.INFORMATIONAL;
                if (interim || !(msg instanceof LastHttpContent)) {
                    ctx.write(msg, promise);
                } else if (promise.isVoid()) {
                    ctx.write(msg, promise);
                    answered();
                } else {
                    promise.addListener(done -> answered()); // its bytes went to the kernel (or the connection closed)
                    ctx.write(msg, promise);
                }
            }
        };
    }
}
