package io.caravan.receiver;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Bounds how long one connection may hold the receiver without doing anything: a request whose
 * bytes (headers or body) stop arriving for {@code stall} gets 408 {@code request_timeout} with the
 * JSON error body and the connection closes; so does a request whose head (request line and headers)
 * is not whole {@code stall} after its first byte, however it trickles (a client that sends a header
 * byte now and then cannot keep connections open forever), and one whose body arrives at less than
 * {@code minBodyRate} bytes per second, averaged over each {@code stall} (a body dripped a byte at a
 * time takes at most about its length divided by that rate, plus one {@code stall}). A connection idle
 * between requests for {@code idle} is closed quietly, as an HTTP server's keep-alive timeout does.
 * While the receiver works on a request (a long finish, a long-polled share) nothing is timed, and a
 * request's timeouts count only the time the receiver was reading the connection (not while the
 * shared bandwidth limit, {@code caravan.receiver.bwlimit}, held its reads back). An answer whose
 * client stops taking it is broken off by its {@link AnswerProgress}, looked at by the same periodic
 * check. All of it runs on the connection's event loop.
 *
 * <p>Two handlers share one watch: {@link #rawReads()} sits first in the pipeline and sees every
 * byte that arrives, {@link #responses()} sits on the outbound side before the encoder and sees each
 * answer end; the {@link RequestGate} says when a request's head and when all of it has arrived.
 */
final class ConnectionWatch {

    private final long stallNanos;
    private final long headNanos;
    private final long idleNanos;
    private final long opened = System.nanoTime();
    private final long minBodyRate;
    private final Consumer<String> rejected;
    private final AnswerProgress answers;
    private long lastActivity = System.nanoTime();
    private boolean partial;
    private long requests;
    private long answered;
    private ScheduledFuture<?> check;
    /** Time spent reading the connection (as of the last check): the clock of a request's timeouts. */
    private long reading;
    private long lastCheck = System.nanoTime();
    /** When on that clock the last bytes arrived. */
    private long lastRead;
    private long headStarted;
    private boolean headArrived;
    private long windowStarted;
    private long bytesInWindow;

    /**
     * {@code minBodyRate}: bytes per second a request's body must average over each {@code stall}; 0 for no
     * minimum. {@code answers}: what breaks off an answer its client stopped taking.
     */
    ConnectionWatch(Duration stall, Duration idle, long minBodyRate, AnswerProgress answers, Consumer<String> rejected) {
        this(stall, stall, idle, minBodyRate, answers, rejected);
    }

    /**
     * As above, a request's head (request line and headers) given {@code head} (at most {@code stall}) to
     * arrive whole from its first byte, and a new connection as long to bring the first byte of its first
     * request (then closed quietly).
     */
    ConnectionWatch(Duration stall, Duration head, Duration idle, long minBodyRate, AnswerProgress answers,
                    Consumer<String> rejected) {
        this.answers = answers;
        this.stallNanos = stall.toNanos();
        this.headNanos = Math.min(stallNanos, head.toNanos());
        this.idleNanos = idle.toNanos();
        this.minBodyRate = minBodyRate;
        this.rejected = rejected;
    }

    /** The {@link RequestGate} saw a request's head whole: its body, if any, is timed by its rate from now. */
    void headArrived(HttpRequest request) {
        answers.requested(request);
        headArrived = true;
        startWindow();
    }

    /** The {@link RequestGate} saw the last part of a request: the receiver works on it until its answer ends. */
    void requestArrived() {
        partial = false;
        headArrived = false;
        requests++;
        lastActivity = System.nanoTime();
    }

    /** The inbound handler to put first: every byte read is activity, and starts a request when none is being answered. */
    ChannelInboundHandlerAdapter rawReads() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void handlerAdded(ChannelHandlerContext ctx) {
                // added when the connection opens (by the gate): timed from now
                long shortest = Math.min(headNanos, idleNanos);
                if (answers.stallNanos() > 0) {
                    shortest = Math.min(shortest, answers.stallNanos());
                }
                long period = Math.max(50, Math.min(1000, shortest / 4_000_000));
                check = ctx.executor().scheduleAtFixedRate(() -> check(ctx), period, period, TimeUnit.MILLISECONDS);
            }

            @Override
            public void handlerRemoved(ChannelHandlerContext ctx) {
                check.cancel(false);
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                check.cancel(false);
                ctx.fireChannelInactive();
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof ByteBuf bytes && bytes.isReadable()) {
                    lastActivity = System.nanoTime();
                    lastRead = reading + (lastActivity - lastCheck); // reading since the last check: bytes came
                    if (answered >= requests && !partial) {
                        partial = true; // the first bytes of a request that has not arrived whole yet
                        headStarted = lastRead;
                        startWindow(); // a head read ahead while the previous request was worked on
                    }
                    bytesInWindow += bytes.readableBytes();
                }
                ctx.fireChannelRead(msg);
            }
        };
    }

    /** The outbound handler to put before the encoder: the end of each answer. */
    ChannelDuplexHandler responses() {
        return new ChannelDuplexHandler() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                answers.written(msg);
                if (msg instanceof LastHttpContent) {
                    answered++;
                    lastActivity = System.nanoTime();
                }
                ctx.write(msg, promise);
            }
        };
    }

    private void startWindow() {
        windowStarted = lastRead; // at the read that started the request, or that brought its head whole
        bytesInWindow = 0;
    }

    private void check(ChannelHandlerContext ctx) {
        if (!ctx.channel().isActive()) {
            return;
        }
        long now = System.nanoTime();
        if (ctx.channel().config().isAutoRead()) {
            reading += now - lastCheck; // not while the bandwidth limit holds reads back
        }
        lastCheck = now;
        if (answers.check(ctx.channel(), now)) {
            return;
        }
        if (partial && reading - lastRead > stallNanos) {
            timeOut(ctx, "nothing of the request arrived for " + seconds(stallNanos) + " s: send it again"
                    + " (caravan.receiver.stall-timeout)");
        } else if (partial && !headArrived && reading - headStarted > headNanos) {
            timeOut(ctx, "the request line and headers did not arrive whole within " + seconds(headNanos)
                    + " s of their first byte: send them at once (caravan.receiver."
                    + (headNanos < stallNanos ? "head-timeout)" : "stall-timeout)"));
        } else if (!partial && requests == 0 && answered == 0 && now - opened > headNanos) {
            ctx.channel().close(); // a connection that never began a request
        } else if (partial && headArrived && minBodyRate > 0 && reading - windowStarted >= stallNanos) {
            double window = (reading - windowStarted) / 1e9;
            if (bytesInWindow < minBodyRate * window) {
                timeOut(ctx, String.format(Locale.ROOT, "the request body arrived at %d bytes in %.0f s, less than the"
                        + " %d bytes/s this receiver needs: send it again over a faster link"
                        + " (caravan.receiver.min-body-rate)", bytesInWindow, window, minBodyRate));
            } else {
                startWindow();
            }
        } else if (!partial && answered >= requests && now - lastActivity > idleNanos) {
            ctx.channel().close(); // keep-alive timeout
        }
    }

    /** Answers 408 {@code request_timeout} with {@code message} and closes the connection. */
    private void timeOut(ChannelHandlerContext ctx, String message) {
        partial = false;
        rejected.accept("request_timeout");
        FullHttpResponse answer = NettyJsonAnswers.error(HttpResponseStatus.REQUEST_TIMEOUT, "request_timeout", message);
        answer.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.channel().writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
    }

    private static long seconds(long nanos) {
        return nanos / 1_000_000_000;
    }
}
