package io.caravan.receiver;

import io.caravan.console.ConsoleAccess;
import io.caravan.util.DirectMemoryBudget;
import io.caravan.util.PercentEscapes;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Sits between Netty's HTTP decoder and the aggregator of one connection and judges each request
 * from its headers alone: a missing or wrong bearer token (every request but the token-free ones of
 * {@link TokenFreeRequests}: {@code GET}/{@code HEAD /health} and the console's login, see {@link ConsoleAccess};
 * the console's login cookie stands in for it there) gets
 * 401, a request target holding a character no URL holds as it is or a malformed percent-escape
 * ({@link PercentEscapes}) 400, a request a web page may not make ({@link BrowserRequests}) 403, and a declared
 * body over the limit (for a token-free request {@value TokenFreeRequests#MAX_BODY} bytes) 413, all with the JSON error body, before any body
 * byte is read, acknowledged with {@code 100 Continue} or held in memory; the body of a refused
 * request is read and dropped, or the connection closed. A form-encoded content type is taken as
 * JSON (netty-http would otherwise fail on the body and close the connection without an answer).
 * When the connection opens it puts the {@link PacedRequestDecoder} in place of netty-http's request decoder
 * (one request at a time, the connection not read while its client leaves answers waiting), and the JSON
 * answers into the rest of the pipeline
 * ({@link OversizedBodyAnswer}, {@link ErrorBodyAnswer}, {@link OutOfMemoryAnswer}), and first of all
 * the receiver's shared traffic shaper when {@code caravan.receiver.bwlimit} is set, and the
 * connection's {@link ConnectionWatch} (408 for a request that stalls or trickles, a keep-alive timeout), and the
 * {@link JsonBodyReservation} of the heap of the requests with a body that is not an upload. Each refusal is
 * recorded in the audit trail with the client's address.
 */
final class RequestGate extends ChannelInboundHandlerAdapter {

    /** The name netty-http gives its own handler, the last of the pipeline (it hands requests to the routes). */
    private static final String NETTY_HTTP_HANDLER = "handler";
    /** When the head of the request arriving was decoded ({@link RequestArrival}). */
    private long headNanos;

    private final BearerToken token;
    private final BrowserRequests browsers;
    private final long maxJsonBody;
    private final long maxUploadBody;
    private final DirectMemoryBudget directMemory;
    private final JsonMemory jsonMemory;
    private final AddressShares shares;
    private final Consumer<String> rejected;
    private final ReceiverAudit audit;
    private final ChannelHandler shaper;
    private final ConnectionWatch watch;
    /** The connection's SO_SNDBUF (0: the system's). */
    private final int sendBuffer;
    /** This connection's place within the {@link ConnectionLimit}, or null when the server has none. */
    private ConnectionLimit.Slot slot;
    private final ErrorBodyAnswer errorBodies = new ErrorBodyAnswer();
    /** The connection's response encoder, told each request's method so HEAD answers carry no body. */
    private HeadAwareEncoder encoder;
    /** Whether this connection has sent a request with the right token: it is served while its address is slowed. */
    private boolean tokenProven;
    private boolean discarding;
    private boolean closeAfterDiscard;
    private long discarded;

    /**
     * {@code directMemory}: where upload bodies are reserved ({@link UploadGathering}); null: nowhere; {@code shares}:
     * what the bodies one client address is sending may hold of it while uploads wait (null: no share); {@code jsonMemory}:
     * where the heap of the other requests with a body is reserved ({@link JsonBodyReservation}); null: nowhere;
     * {@code sendBuffer}: the connection's SO_SNDBUF, set as it opens (0: the system's).
     */
    RequestGate(BearerToken token, BrowserRequests browsers, long maxJsonBody, long maxUploadBody, DirectMemoryBudget directMemory,
                AddressShares shares, JsonMemory jsonMemory, Consumer<String> rejected, ReceiverAudit audit, ChannelHandler shaper,
                int sendBuffer, ConnectionWatch watch) {
        this.browsers = browsers;
        this.sendBuffer = sendBuffer;
        this.directMemory = directMemory;
        this.jsonMemory = jsonMemory;
        this.shares = shares;
        this.watch = watch;
        this.audit = audit;
        this.shaper = shaper;
        this.token = token;
        this.maxJsonBody = maxJsonBody;
        this.maxUploadBody = maxUploadBody;
        this.rejected = rejected;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ChannelPipeline pipeline = ctx.pipeline();
        slot = ctx.channel().attr(ConnectionLimit.SLOT).get();
        if (slot != null && slot.refused()) {
            busy(ctx);
            ctx.fireChannelActive();
            return;
        }
        if (sendBuffer > 0) { // before anything is written: the kernel queues at most this much for the client
            ctx.channel().config().setOption(io.netty.channel.ChannelOption.SO_SNDBUF, sendBuffer);
        }
        PacedRequestDecoder paced = pipeline.get(PacedRequestDecoder.class);
        HttpRequestDecoder decoder = pipeline.get(HttpRequestDecoder.class);
        if (paced == null && decoder != null) { // before any byte is read: nothing is held in netty-http's decoder
            paced = new PacedRequestDecoder();
            pipeline.replace(decoder, pipeline.context(decoder).name(), paced);
            pipeline.addFirst("caravan-held-reads", paced.heldReads());
        }
        if (watch != null && paced != null) {
            watch.readsHeldBy(paced::holding);
        }
        if (watch != null && pipeline.get("caravan-watch") == null) {
            pipeline.addFirst("caravan-watch", watch.rawReads());
            if (pipeline.get(NETTY_HTTP_HANDLER) != null) {
                pipeline.addBefore(NETTY_HTTP_HANDLER, "caravan-lost-connections", watch.lostConnections());
            } else {
                pipeline.addLast("caravan-lost-connections", watch.lostConnections());
            }
        }
        if (shaper != null && pipeline.get("caravan-bandwidth") == null) {
            pipeline.addFirst("caravan-bandwidth", shaper); // caravan.receiver.bwlimit, shared by all connections
        }
        HttpObjectAggregator aggregator = pipeline.get(HttpObjectAggregator.class);
        if (aggregator != null && !(aggregator instanceof OversizedBodyAnswer)) {
            String name = pipeline.context(aggregator).name();
            pipeline.replace(aggregator, name, new OversizedBodyAnswer(aggregator.maxContentLength()));
            pipeline.addAfter(name, "caravan-out-of-memory", new OutOfMemoryAnswer(rejected));
        }
        if (pipeline.get(TokenFreeRequests.class) == null) {
            pipeline.addAfter(ctx.name(), "caravan-token-free-bodies", new TokenFreeRequests(rejected, audit));
        }
        HungUpRequests.addTo(pipeline);
        if (pipeline.get(UploadGathering.class) == null) {
            pipeline.addAfter(ctx.name(), "caravan-gather-uploads", new UploadGathering(maxUploadBody, directMemory, shares,
                    rejected, watch == null ? length -> { } : watch::bodyReserved));
        }
        HttpResponseEncoder encoder = pipeline.get(HttpResponseEncoder.class);
        if (encoder != null && !(encoder instanceof HeadAwareEncoder)) {
            HeadAwareEncoder headAware = new HeadAwareEncoder();
            pipeline.replace(encoder, pipeline.context(encoder).name(), headAware);
            encoder = headAware;
            this.encoder = headAware;
        }
        if (encoder != null && jsonMemory != null && pipeline.get(JsonBodyReservation.class) == null) {
            JsonBodyReservation reservation = new JsonBodyReservation(jsonMemory, maxJsonBody, rejected);
            pipeline.addAfter(ctx.name(), "caravan-json-memory", reservation);
            pipeline.addAfter(pipeline.context(encoder).name(), "caravan-json-answer-ends", reservation.answerEnds());
            ChannelHandlerContext camel = pipeline.context(HungUpRequests.CAMEL_HANDLER);
            if (camel != null) {
                pipeline.addBefore(camel.executor(), HungUpRequests.CAMEL_HANDLER, "caravan-json-work", reservation.work());
            }
        }
        if (encoder != null) {
            pipeline.addAfter(pipeline.context(encoder).name(), "caravan-error-bodies", errorBodies);
            if (paced != null) {
                pipeline.addAfter(pipeline.context(encoder).name(), "caravan-answer-ends", paced.answerEnds());
            }
            if (watch != null) {
                pipeline.addAfter(pipeline.context(encoder).name(), "caravan-answers-watch", watch.responses());
            }
            if (slot != null) {
                pipeline.addAfter(pipeline.context(encoder).name(), "caravan-connection-answers", new ChannelOutboundHandlerAdapter() {
                    @Override
                    public void write(ChannelHandlerContext out, Object msg, ChannelPromise promise) {
                        if (msg instanceof LastHttpContent) {
                            slot.answered();
                        }
                        out.write(msg, promise);
                    }
                });
            }
        }
        ctx.fireChannelActive();
    }

    /**
     * Answers a connection beyond the {@link ConnectionLimit} with a minimal 503 written straight to the socket
     * (nothing of its request is read) and closes it.
     */
    private void busy(ChannelHandlerContext ctx) {
        ctx.channel().config().setAutoRead(false);
        byte[] body = ("{\"error\":\"busy\",\"message\":\"" + slot.server() + " holds its most connections ("
                + slot.setting() + "=" + slot.max() + "), each with a request being worked on: try again shortly\"}")
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] head = ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                + "\r\nRetry-After: 1\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        rejected.accept("busy");
        ctx.pipeline().firstContext().writeAndFlush(io.netty.buffer.Unpooled.wrappedBuffer(head, body))
                .addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (slot != null && slot.refused()) {
            ReferenceCountUtil.release(msg); // a connection answered busy: nothing of it is read
            return;
        }
        if (slot != null && msg instanceof HttpRequest) {
            slot.headArrived();
        }
        if (watch != null && msg instanceof HttpRequest request) {
            watch.headArrived(request);
        }
        if (watch != null && msg instanceof LastHttpContent) {
            watch.requestArrived();
        }
        if (msg instanceof HttpRequest) {
            headNanos = System.nanoTime();
            ctx.channel().attr(RequestArrival.KEY).set(null);
        }
        if (msg instanceof LastHttpContent) {
            ctx.channel().attr(RequestArrival.KEY).set(new RequestArrival(headNanos, System.nanoTime()));
        }
        if (msg instanceof HttpRequest request) {
            if (encoder != null) {
                encoder.requested(request.method());
            }
            discarding = false;
            errorBodies.requested(request.method(), request.uri());
            takeFormAsJson(request);
            hostOfHttp10(ctx, request);
            GateRefusal refusal = refusal(request, ctx.channel().remoteAddress());
            if (refusal == null) {
                ctx.fireChannelRead(msg);
                return;
            }
            boolean complete = msg instanceof LastHttpContent;
            ReferenceCountUtil.release(msg);
            rejected.accept(refusal.code());
            if (audit != null) {
                audit.refused(ctx.channel().remoteAddress(), request.uri(), refusal.answer().status().code(), refusal.code());
            }
            refuse(ctx, request, refusal.answer(), complete);
        } else if (discarding && msg instanceof HttpContent content) {
            discarded += content.content().readableBytes();
            boolean last = msg instanceof LastHttpContent;
            ReferenceCountUtil.release(msg);
            if (last || discarded > Math.max(maxJsonBody, maxUploadBody)) {
                discarding = false;
                if (closeAfterDiscard || !last) {
                    ctx.close();
                }
            }
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    /**
     * The answer that refuses this request from its headers, or null when it may pass. A request that needs the
     * token from a client address past its {@link WrongTokenLimit} is refused before its token is compared, unless
     * its connection has sent the right token before (a client sharing its address with one that guesses, behind a
     * NAT or a proxy, keeps the connections it has).
     */
    private GateRefusal refusal(HttpRequest request, SocketAddress remote) {
        if (request.decoderResult().isFailure()) {
            return unreadable(request.decoderResult().cause());
        }
        java.util.List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1 || hosts.size() == 1 && hosts.get(0).indexOf(',') >= 0) { // which is meant? RFC 9112, 3.2: neither
            return GateRefusal.of(HttpResponseStatus.BAD_REQUEST, "bad_request", "the request has more than one Host;"
                    + " send one Host header with one name");
        }
        String path = request.uri().split("\\?", 2)[0];
        String method = request.method().name();
        boolean open = TokenFreeRequests.open(method, path);
        if (!open && token.required() && !tokenProven) {
            Duration wait = token.wrongTokens().refusedFor(remote);
            if (!wait.isZero()) {
                return slowed(token.wrongTokens(), remote, wait);
            }
        }
        if (!open && !ConsoleAccess.admitted(token, method, path, request.headers().get(HttpHeaderNames.AUTHORIZATION),
                request.headers().get(HttpHeaderNames.COOKIE))) {
            token.wrongTokens().wrong(remote);
            GateRefusal refusal = GateRefusal.of(HttpResponseStatus.UNAUTHORIZED, "unauthorized",
                    "missing or wrong bearer token: send 'Authorization: Bearer <token>'");
            refusal.answer().headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
            return refusal;
        }
        if (!open && token.required()) {
            tokenProven = true;
        }
        GateRefusal fromBrowser = browsers.refusal(request, method, path);
        if (fromBrowser != null) {
            return fromBrowser;
        }
        String escapes = PercentEscapes.problem(request.uri());
        if (escapes != null) {
            return GateRefusal.of(HttpResponseStatus.BAD_REQUEST, "bad_request", escapes);
        }
        long length = contentLength(request);
        if (open && length > TokenFreeRequests.MAX_BODY) {
            return new GateRefusal("body_too_large", TokenFreeRequests.tooLarge(length));
        }
        boolean upload = request.method().equals(HttpMethod.PUT);
        long limit = upload ? maxUploadBody : maxJsonBody;
        if (length > limit) {
            return GateRefusal.of(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "body_too_large",
                    "the request body is " + length + " bytes, larger than this receiver accepts (" + limit + " bytes: "
                            + (upload ? "caravan.receiver.max-chunk-size plus 1 MiB); send smaller chunks"
                                    : "caravan.receiver.max-json-body)"));
        }
        return null;
    }

    /** 429 to a client address past its {@link WrongTokenLimit}, with when to try again. */
    private static GateRefusal slowed(WrongTokenLimit limit, SocketAddress remote, Duration wait) {
        long seconds = WrongTokenLimit.seconds(wait);
        GateRefusal refusal = GateRefusal.of(HttpResponseStatus.TOO_MANY_REQUESTS, WrongTokenLimit.CODE,
                limit.message(remote, seconds));
        refusal.answer().headers().set(HttpHeaderNames.RETRY_AFTER, seconds);
        return refusal;
    }

    /** The answer to a request Netty's decoder could not read (a request line or headers too long, not HTTP). */
    private static GateRefusal unreadable(Throwable cause) {
        GateRefusal refusal;
        if (cause instanceof TooLongHttpLineException) {
            refusal = GateRefusal.of(HttpResponseStatus.REQUEST_URI_TOO_LONG, "uri_too_long",
                    "the request line is longer than this receiver reads (" + PacedRequestDecoder.MAX_REQUEST_LINE
                            + " bytes): use shorter names");
        } else if (cause instanceof TooLongHttpHeaderException) {
            refusal = GateRefusal.of(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "headers_too_large",
                    "the request's headers are larger than this receiver reads (" + PacedRequestDecoder.MAX_HEADERS
                            + " bytes in all)");
        } else {
            refusal = GateRefusal.of(HttpResponseStatus.BAD_REQUEST, "bad_request",
                    "the request could not be read as HTTP/1.1 (" + cause.getMessage() + ")");
        }
        refusal.answer().headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE); // the decoder reads nothing more
        return refusal;
    }

    /**
     * Answers a refused request. A body on its way is read and dropped, then the connection closes; a
     * client waiting for {@code 100 Continue} gets the answer instead and the connection closes at once.
     */
    private void refuse(ChannelHandlerContext ctx, HttpRequest request, FullHttpResponse answer, boolean complete) {
        boolean body = !complete && (contentLength(request) > 0 || HttpUtil.isTransferEncodingChunked(request));
        boolean keepAlive = HttpUtil.isKeepAlive(request) && !body
                && !answer.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, true);
        if (!keepAlive) {
            answer.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        ChannelFuture written = ctx.channel().writeAndFlush(answer);
        if (body && HttpUtil.is100ContinueExpected(request)) {
            written.addListener(ChannelFutureListener.CLOSE);
            return;
        }
        written.addListener(body || keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
        discarding = !complete; // without a body, the decoder still sends an empty last content
        closeAfterDiscard = body;
        discarded = 0;
    }

    /** netty-http parses a form-encoded body into headers and fails on anything else: such a body is JSON here. */
    private static void takeFormAsJson(HttpRequest request) {
        String type = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
        if (type != null && type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            request.headers().set(HttpHeaderNames.CONTENT_TYPE,
                    request.method().equals(HttpMethod.PUT) ? "application/octet-stream" : "application/json");
        }
    }

    /**
     * HTTP/1.0 has no {@code Host} header (a load balancer's health check often sends none), and
     * netty-http answers a request without one 400: such a request is taken as addressed to this
     * receiver's own address. An HTTP/1.1 request without {@code Host} stays a 400, as RFC 9112 says.
     */
    private static void hostOfHttp10(ChannelHandlerContext ctx, HttpRequest request) {
        if (request.protocolVersion().equals(HttpVersion.HTTP_1_0) && !request.headers().contains(HttpHeaderNames.HOST)
                && ctx.channel().localAddress() instanceof InetSocketAddress local) {
            String address = local.getAddress().getHostAddress();
            request.headers().set(HttpHeaderNames.HOST, (address.contains(":") ? "[" + address + "]" : address) + ":" + local.getPort());
        }
    }

    private static long contentLength(HttpRequest request) {
        try {
            return HttpUtil.getContentLength(request, -1L);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
