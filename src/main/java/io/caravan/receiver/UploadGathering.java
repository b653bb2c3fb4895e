package io.caravan.receiver;

import io.caravan.util.DirectMemoryBudget;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.PrematureChannelClosureException;
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
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Gathers the body of a chunk upload ({@code PUT} with a {@code Content-Length}, already admitted by
 * the {@link RequestGate}) into one buffer of exactly its declared size, copying each piece the decoder
 * hands out and letting it go at once, and passes the whole request on (the aggregator behind lets a
 * whole request through). A connection so holds one body's worth of memory per upload, however slowly
 * its bytes arrive: aggregated from the decoder's pieces, which are slices of the buffer each socket
 * read filled, a body pinned many times its size on a slow link, and four chunks of 8 MiB in flight
 * over a 200 Mbit/s link exhausted the receiver's 128 MiB of direct memory.
 *
 * <p>The declared size is reserved in the receiver's {@link DirectMemoryBudget} from the request's
 * headers, before anything of its body is read or acknowledged, and given back when the buffer is
 * freed ({@link ReservedBody}); an upload the budget has no room for is answered at once with 503
 * {@code busy} and {@code Retry-After}, nothing stored (the sender retries later), and its connection
 * closed (after the body a client sends without waiting for {@code 100 Continue}, dropped as it comes). So clients that declare large bodies and send them slowly, or not at all, hold at most the
 * budget, never the direct memory the event-loop threads need to answer everyone else, and each of
 * them is cut by the {@link ConnectionWatch}'s stall timeout, or, while uploads wait for room, by its
 * {@link BodyPace}; while they wait, the bodies one client address is sending hold at most its
 * {@link AddressShares share} of the budget. A client that asks
 * {@code Expect: 100-continue} gets its {@code 100 Continue} here, once its body is admitted and before
 * the buffer is taken. When the buffer cannot be had all the same, the upload is answered the same way.
 */
final class UploadGathering extends ChannelInboundHandlerAdapter {

    private final long maxUploadBody;
    private final DirectMemoryBudget memory;
    private final Consumer<String> rejected;
    /** Told the size of each body reserved, once it is. */
    private final LongConsumer reserved;
    private final AddressShares shares;
    /** The address whose share counts the body being received, and its size; null: none counts. */
    private InetAddress counted;
    private long countedBytes;
    private HttpRequest request;
    private ByteBuf body;
    /** Refused for want of memory: the rest of its body is dropped until the connection closes. */
    private boolean refused;

    /**
     * {@code memory}: where each body's size is reserved (null: nowhere, the allocator alone bounds them);
     * {@code rejected} is told the error code of each upload refused here (for the metrics).
     */
    UploadGathering(long maxUploadBody, DirectMemoryBudget memory, Consumer<String> rejected) {
        this(maxUploadBody, memory, null, rejected, length -> { });
    }

    /**
     * As above, each body first admitted by its client address's {@code shares} of the budget (null: none), and
     * {@code reserved} told the size of each body once it is reserved and its buffer taken.
     */
    UploadGathering(long maxUploadBody, DirectMemoryBudget memory, AddressShares shares, Consumer<String> rejected,
                    LongConsumer reserved) {
        this.shares = shares;
        this.reserved = reserved;
        this.maxUploadBody = maxUploadBody;
        this.memory = memory;
        this.rejected = rejected;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest started && !(msg instanceof FullHttpMessage) && gathers(started)) {
            long declared = HttpUtil.getContentLength(started, -1L);
            // a body in chunked transfer coding declares no length: it takes the most an upload may be
            int length = (int) (declared >= 0 ? declared : Math.min(maxUploadBody, Integer.MAX_VALUE));
            InetAddress client = shares != null && ctx.channel().remoteAddress() instanceof InetSocketAddress remote
                    ? remote.getAddress() : null;
            if (client != null) {
                String beyondShare = shares.admit(client, length);
                if (beyondShare != null) {
                    refuse(ctx, started, beyondShare);
                    return;
                }
                counted = client;
                countedBytes = length;
            }
            if (memory != null && !memory.reserve(length)) {
                sent();
                if (client != null) {
                    shares.refused(client);
                }
                refuse(ctx, started, "this receiver's upload bodies and answers hold all the direct memory they may ("
                        + memory.named() + "; this body needs " + length + "): nothing was stored, retry later");
                return;
            }
            try {
                body = memory == null ? ctx.alloc().directBuffer(length, length) : new ReservedBody(ctx.alloc(), length, memory);
            } catch (OutOfMemoryError e) {
                if (memory != null) {
                    memory.release(length);
                }
                sent();
                refuse(ctx, started, OutOfMemoryAnswer.message(e));
                return;
            }
            if (memory != null) {
                reserved.accept(length);
            }
            if (HttpUtil.is100ContinueExpected(started)) {
                // only once the body has its memory: a client told to send is never refused for memory after it
                started.headers().remove(HttpHeaderNames.EXPECT);
                // from the channel's end: the response encoder sits behind this handler in netty-http's pipeline
                ctx.channel().writeAndFlush(new DefaultFullHttpResponse(started.protocolVersion(), HttpResponseStatus.CONTINUE,
                        Unpooled.EMPTY_BUFFER));
            }
            request = started;
        } else if (refused && msg instanceof HttpContent piece) {
            piece.release();
            if (msg instanceof LastHttpContent) {
                ctx.close();
            }
        } else if (request != null && msg instanceof HttpContent piece) {
            boolean over;
            try {
                ByteBuf bytes = piece.content();
                over = bytes.readableBytes() > body.writableBytes(); // only a chunked body can bring more than it took
                if (!over) {
                    body.writeBytes(bytes);
                }
            } finally {
                piece.release();
            }
            if (over) {
                tooLarge(ctx, msg instanceof LastHttpContent);
                return;
            }
            if (msg instanceof LastHttpContent last) {
                sent();
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

    /**
     * Answers 503 {@code busy} with {@code message} and closes the connection: at once when the client waits
     * for {@code 100 Continue}, else once the body it sends anyway has arrived, each piece dropped as it comes
     * (so a client that reads the answer only after sending its body gets it, not a reset connection;
     * the stall timeout and minimum rate still bound how long that takes).
     */
    private void refuse(ChannelHandlerContext ctx, HttpRequest started, String message) {
        boolean sentAnyway = !HttpUtil.is100ContinueExpected(started);
        refused = true;
        ReferenceCountUtil.release(started);
        rejected.accept("busy");
        FullHttpResponse answer = NettyJsonAnswers.error(HttpResponseStatus.SERVICE_UNAVAILABLE, "busy", message);
        answer.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        answer.headers().set(HttpHeaderNames.RETRY_AFTER, ErrorAnswers.RETRY_AFTER_SECONDS);
        ctx.channel().writeAndFlush(answer).addListener(sentAnyway ? ChannelFutureListener.CLOSE_ON_FAILURE
                : ChannelFutureListener.CLOSE);
    }

    /**
     * An upload with a body of a known size within the limit (the gate refused larger ones already), or one in
     * chunked transfer coding, which reserves the most an upload may be.
     */
    private boolean gathers(HttpRequest started) {
        if (!started.method().equals(HttpMethod.PUT)) {
            return false;
        }
        long length = HttpUtil.getContentLength(started, -1L);
        if (HttpUtil.isTransferEncodingChunked(started)) {
            return length < 0;
        }
        return length > 0 && length <= Math.min(maxUploadBody, Integer.MAX_VALUE);
    }

    /**
     * A body in chunked transfer coding brought more than an upload may be: 413 {@code body_too_large}, nothing
     * stored, its buffer let go; the rest is dropped as it comes and the connection closes after it.
     */
    private void tooLarge(ChannelHandlerContext ctx, boolean last) {
        letGo();
        refused = true;
        rejected.accept("body_too_large");
        FullHttpResponse answer = NettyJsonAnswers.error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "body_too_large",
                "the upload's body (in chunked transfer coding) is larger than this receiver accepts (" + maxUploadBody
                        + " bytes: caravan.receiver.max-chunk-size plus 1 MiB); nothing was stored: send smaller chunks");
        answer.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.channel().writeAndFlush(answer).addListener(last ? ChannelFutureListener.CLOSE : ChannelFutureListener.CLOSE_ON_FAILURE);
    }

    /**
     * A body still being gathered when the connection ends was cut short by its client: let go of it and say so
     * as the aggregator does for the requests it gathers (a {@link PrematureChannelClosureException}, which the
     * {@link ConnectionWatch} counts).
     */
    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        boolean cutShort = body != null;
        letGo();
        super.channelInactive(ctx);
        if (cutShort) {
            ctx.fireExceptionCaught(new PrematureChannelClosureException("the connection closed before the upload body"
                    + " arrived whole"));
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        letGo();
    }

    /** The body being received no longer counts in its address's share: it arrived whole, or will not. */
    private void sent() {
        if (counted != null) {
            shares.sent(counted, countedBytes);
            counted = null;
        }
    }

    private void letGo() {
        sent();
        if (body != null) {
            body.release();
            body = null;
            request = null;
        }
    }
}
