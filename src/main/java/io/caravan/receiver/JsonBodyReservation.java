package io.caravan.receiver;

import io.caravan.session.RequestRejectedException;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.function.Consumer;

/**
 * Reserves the heap of each request of one connection that carries a body other than a chunk upload (every
 * JSON request: see {@link JsonMemory}) from its headers, before any byte of its body is read or acknowledged
 * with {@code 100 Continue}, and gives it back once the last byte of its answer has left for the kernel (the
 * {@link #answerEnds()} part, before the encoder), or the connection closed. A body sent in chunks, of no
 * declared size, reserves as much as a body may have ({@code max-json-body}, at most what the budget takes
 * whole) and gets 413 if it brings more. A request the budget has no room for is answered at once, 503
 * {@code busy} with {@code Retry-After} (413 {@code body_too_large} when it could never fit), nothing of it
 * done, and its connection closed (after the body a client sends without waiting for {@code 100 Continue},
 * dropped as it comes). Sits right behind the {@link RequestGate}, which has admitted the request's token and
 * declared size; the receiver works on one request of a connection at a time ({@link PacedRequestDecoder}).
 * The heap is given back only once the route's work on the request is over too ({@link #work()},
 * {@link ReservedHeap}).
 */
final class JsonBodyReservation extends ChannelInboundHandlerAdapter {

    private final JsonMemory memory;
    private final long maxJsonBody;
    private final Consumer<String> rejected;
    /** The heap of the request whose answer has not ended yet; null: none. */
    private ReservedHeap unanswered;
    /** The heap of the request last admitted, for the route that works on it ({@link #work()}); null: none. */
    private volatile ReservedHeap admitted;
    /** The body a request sent in chunks may bring, and what it brought so far; -1: not such a request. */
    private long allowed = -1;
    private long received;
    /** Whether the client of the request being read keeps its connection (HTTP/1.1 without Connection: close). */
    private boolean keepAlive;
    /** Refused: the rest of its body is dropped until the connection closes. */
    private boolean refused;

    /** {@code rejected} is told the error code of each request refused here (for the metrics). */
    JsonBodyReservation(JsonMemory memory, long maxJsonBody, Consumer<String> rejected) {
        this.memory = memory;
        this.maxJsonBody = maxJsonBody;
        this.rejected = rejected;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            allowed = -1;
            admitted = null;
            if (!carriesBody(request)) {
                ctx.fireChannelRead(msg);
                return;
            }
            keepAlive = HttpUtil.isKeepAlive(request);
            long length = HttpUtil.getContentLength(request, -1L);
            long body = length >= 0 ? length : Math.min(maxJsonBody, memory.limit() / JsonMemory.HEAP_PER_BODY_BYTE);
            try {
                unanswered = new ReservedHeap(memory, memory.reserve(body));
            } catch (RequestRejectedException e) {
                refuse(ctx, request, e);
                return;
            }
            admitted = unanswered;
            if (length < 0) {
                allowed = body;
                received = 0;
            }
            ctx.fireChannelRead(msg);
        } else if (refused && msg instanceof HttpContent piece) {
            piece.release();
            if (msg instanceof LastHttpContent) {
                ctx.close();
            }
        } else if (allowed >= 0 && msg instanceof HttpContent piece
                && (received += piece.content().readableBytes()) > allowed) {
            admitted = null;
            letGo();
            boolean last = msg instanceof LastHttpContent;
            piece.release();
            rejected.accept("body_too_large");
            // the client is still sending: closing now would reset the connection under the answer before the client
            // reads it, so a keep-alive client's rest is dropped and the connection closed after its last piece
            answer(ctx, NettyJsonAnswers.error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "body_too_large",
                    "the request body sent in chunks brought more than " + allowed + " bytes, more than this receiver"
                            + " reads of such a body (caravan.receiver.max-json-body, or what " + JsonMemory.SETTING
                            + " takes); nothing was done"),
                    last || !keepAlive ? ChannelFutureListener.CLOSE : ChannelFutureListener.CLOSE_ON_FAILURE);
            refused = true;
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    /** A request with a body that is not a chunk upload (whose body the direct-memory budget holds). */
    private static boolean carriesBody(HttpRequest request) {
        return !request.method().equals(HttpMethod.PUT)
                && (HttpUtil.getContentLength(request, -1L) > 0 || HttpUtil.isTransferEncodingChunked(request));
    }

    /**
     * Answers {@code refusal} and closes the connection: at once when the client waits for {@code 100 Continue},
     * else once the body it sends anyway has arrived, each piece dropped as it comes.
     */
    private void refuse(ChannelHandlerContext ctx, HttpRequest request, RequestRejectedException refusal) {
        boolean sentAnyway = !HttpUtil.is100ContinueExpected(request);
        refused = true;
        ReferenceCountUtil.release(request);
        rejected.accept(refusal.code());
        FullHttpResponse answer = NettyJsonAnswers.error(HttpResponseStatus.valueOf(refusal.httpStatus()), refusal.code(),
                refusal.getMessage());
        if (refusal.httpStatus() == 503) {
            answer.headers().set(HttpHeaderNames.RETRY_AFTER, ErrorAnswers.RETRY_AFTER_SECONDS);
        }
        answer(ctx, answer, sentAnyway ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
    }

    private static void answer(ChannelHandlerContext ctx, FullHttpResponse answer, ChannelFutureListener then) {
        answer.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.channel().writeAndFlush(answer).addListener(then);
    }

    /**
     * The outbound handler to put before the encoder: at the end of each answer (not of a {@code 100 Continue}),
     * once its last bytes have left Netty's buffer for the kernel's, the heap of its request is given back.
     */
    ChannelOutboundHandlerAdapter answerEnds() {
        return new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                boolean interim = msg instanceof HttpResponse head && head.status().codeClass() == HttpStatusClass.INFORMATIONAL;
                if (interim || !(msg instanceof LastHttpContent) || unanswered == null) {
                    ctx.write(msg, promise);
                    return;
                }
                ReservedHeap answered = unanswered;
                unanswered = null;
                allowed = -1;
                if (promise.isVoid()) {
                    ctx.write(msg, promise);
                    answered.answered();
                } else {
                    promise.addListener(done -> answered.answered()); // written, or the connection closed
                    ctx.write(msg, promise);
                }
            }
        };
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
        if (unanswered != null) {
            unanswered.answered(); // no answer will end: the connection is gone, or is closed with a refusal
            unanswered = null;
        }
        allowed = -1;
    }

    /**
     * The inbound handler to put right before camel-netty's, on its executor: the route's work on each whole
     * request, from its start to its end, so that a request's heap stays reserved while its route holds it,
     * whenever its connection closes. A request whose connection closed while it waited, and whose heap the
     * budget cannot take again, is dropped (its client is gone).
     */
    ChannelInboundHandlerAdapter work() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ReservedHeap heap = msg instanceof FullHttpRequest ? admitted : null;
                if (heap == null) {
                    ctx.fireChannelRead(msg);
                    return;
                }
                admitted = null;
                if (!heap.workStarts()) {
                    ReferenceCountUtil.release(msg);
                    return;
                }
                try {
                    ctx.fireChannelRead(msg);
                } finally {
                    heap.workEnds();
                }
            }
        };
    }
}
