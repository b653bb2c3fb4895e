package io.caravan.receiver;

import io.caravan.fs.NameRules;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds how long one connection may hold the receiver without doing anything: a request whose
 * bytes (headers or body) stop arriving for {@code stall} gets 408 {@code request_timeout} with the
 * JSON error body and the connection closes; so does a request whose head (request line and headers)
 * is not whole {@code stall} after its first byte, however it trickles (a client that sends a header
 * byte now and then cannot keep connections open forever), and one whose body arrives at less than
 * {@code minBodyRate} bytes per second, averaged over each {@code stall} (a body dripped a byte at a
 * time takes at most about its length divided by that rate, plus one {@code stall}); an upload body reserved in
 * the direct-memory budget must also keep its {@link BodyPace} while the budget is pressed (408 naming
 * {@code caravan.receiver.busy-body-time}, its memory freed for the uploads waiting). A connection idle
 * between requests for {@code idle} is closed quietly, as an HTTP server's keep-alive timeout does, and so is
 * one whose pipelined requests wait unread that long because its client takes none of its answers.
 * While the receiver works on a request (a long finish, a long-polled share) nothing is timed, and a
 * request's timeouts count only the time the receiver was reading the connection (not while the
 * shared bandwidth limit, {@code caravan.receiver.bwlimit}, held its reads back). An answer whose
 * client stops taking it is broken off by its {@link AnswerProgress}, looked at by the same periodic
 * check. All of it runs on the connection's event loop.
 *
 * <p>A connection its client breaks off (closed or reset in the middle of a request, or before an answer
 * could be written to it) or that sends bytes no decoder reads is closed, counted once as
 * {@code connection_lost} (however many of its reads and answer writes fail) and told in one DEBUG line, never
 * handed to netty-http, which would log each at WARN with its stack trace: so a client, with the token
 * or without, cannot write to the receiver's log by hanging up.
 *
 * <p>Three handlers share one watch: {@link #rawReads()} sits first in the pipeline and sees every
 * byte that arrives and every close the receiver asks for, {@link #responses()} sits on the outbound side
 * before the encoder and sees each answer end and each answer write that fails for the connection, {@link #lostConnections()} sits last before netty-http's
 * handler and takes the failures of a lost connection; the {@link RequestGate} says when a request's head
 * and when all of it has arrived.
 */
final class ConnectionWatch {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionWatch.class);

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
    /** The prefix of the settings a refusal names ({@code caravan.receiver}). */
    private final String prefix;
    private long lastCheck = System.nanoTime();
    /** When on that clock the last bytes arrived. */
    private long lastRead;
    private long headStarted;
    private boolean headArrived;
    private long windowStarted;
    private long bytesInWindow;
    /** What a reserved upload body must keep up with (null: nothing). */
    private final BodyPace pace;
    /** The declared size of the upload body reserved for the request arriving; 0: none. */
    private long reservedBody;
    /** When on the reading clock that body was reserved, and the bytes read since. */
    private long bodyStarted;
    private long bodyBytes;
    /** Whether requests of the connection wait unread until its client takes answers ({@link PacedRequestDecoder}). */
    private BooleanSupplier held = () -> false;
    /** The receiver closed the connection (a timeout, a refusal): what fails after is not the client's doing. */
    private boolean closedHere;
    private boolean lost;

    /**
     * {@code minBodyRate}: bytes per second a request's body must average over each {@code stall}; 0 for no
     * minimum. {@code answers}: what breaks off an answer its client stopped taking. A request's head (request
     * line and headers) is given {@code head} (at most {@code stall}) to arrive whole from its first byte, and a
     * new connection as long to bring the first byte of its first request (then closed quietly); each upload body reserved in the direct-memory budget held to {@code pace}
     * (null: to the minimum rate alone); its refusals name the settings under {@code prefix}
     * ({@code caravan.console} for a sender's console).
     */
    ConnectionWatch(Duration stall, Duration head, Duration idle, long minBodyRate, AnswerProgress answers,
                    Consumer<String> rejected, BodyPace pace, String prefix) {
        this.pace = pace;
        this.prefix = prefix;
        this.answers = answers;
        this.stallNanos = stall.toNanos();
        this.headNanos = Math.min(stallNanos, head.toNanos());
        this.idleNanos = idle.toNanos();
        this.minBodyRate = minBodyRate;
        this.rejected = rejected;
    }

    /**
     * Tells the watch when the connection's requests wait unread because its client takes no answers: a
     * connection held so, every request before answered, is closed like an idle one, whatever bytes of the
     * next request it had sent.
     */
    void readsHeldBy(BooleanSupplier held) {
        this.held = held;
    }

    /** The {@link RequestGate} saw a request's head whole: its body, if any, is timed by its rate from now. */
    void headArrived(HttpRequest request) {
        answers.requested(request);
        headArrived = true;
        startWindow();
    }

    /**
     * The {@link UploadGathering} reserved {@code length} bytes of the direct-memory budget for the body of the
     * request whose head just arrived: that body keeps its {@link BodyPace} from now on.
     */
    void bodyReserved(long length) {
        reservedBody = length;
        bodyStarted = lastRead;
        bodyBytes = 0;
    }

    /** The {@link RequestGate} saw the last part of a request: the receiver works on it until its answer ends. */
    void requestArrived() {
        partial = false;
        reservedBody = 0;
        headArrived = false;
        requests++;
        lastActivity = System.nanoTime();
    }

    /**
     * The handler to put first: every byte read is activity, and starts a request when none is being answered;
     * every close asked for by the receiver's handlers passes it.
     */
    ChannelDuplexHandler rawReads() {
        return new ChannelDuplexHandler() {
            @Override
            public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
                closedHere = true;
                super.close(ctx, promise);
            }

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
                    bodyBytes += bytes.readableBytes();
                }
                ctx.fireChannelRead(msg);
            }
        };
    }

    /**
     * The inbound handler to put last before netty-http's: takes a failure of the connection itself (an I/O
     * error such as a reset, a request or upload body cut short by a close, bytes a decoder cannot read),
     * closes the connection and counts it once as {@code connection_lost} (unless the receiver had closed it),
     * with one DEBUG line; any other failure passes on.
     */
    ChannelInboundHandlerAdapter lostConnections() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                if (!connectionLevel(cause)) {
                    ctx.fireExceptionCaught(cause);
                    return;
                }
                lost();
                LOG.debug("connection from {} lost: {}", ctx.channel().remoteAddress(), NameRules.shortened(cause.toString()));
                ctx.channel().close();
            }
        };
    }

    /**
     * Whether {@code cause} is the connection's failure rather than the receiver's: an I/O error, a message
     * cut short by the connection's end, or a decoder's refusal of the bytes (not one of its own faults).
     */
    static boolean connectionLevel(Throwable cause) {
        return cause instanceof IOException || cause instanceof PrematureChannelClosureException
                || cause instanceof DecoderException && (cause.getCause() == null || connectionLevel(cause.getCause()));
    }

    /** Counts the connection as {@code connection_lost}, once, unless the receiver had closed it. */
    private void lost() {
        if (!lost && !closedHere) {
            lost = true;
            rejected.accept("connection_lost");
        }
    }

    /**
     * The outbound handler to put before the encoder: the end of each answer, and an answer write that fails for
     * the connection (reset, or closed by its client), which counts it lost if its reads have not already.
     */
    ChannelDuplexHandler responses() {
        return new ChannelDuplexHandler() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                answers.written(msg);
                if (msg instanceof LastHttpContent) {
                    answered++;
                    lastActivity = System.nanoTime();
                }
                if (!lost && !promise.isVoid()) {
                    promise.addListener(written -> {
                        if (!written.isSuccess() && connectionLevel(written.cause())) {
                            lost();
                        }
                    });
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
        String behind; // why a reserved body falls behind its pace
        if (partial && reading - lastRead > stallNanos) {
            timeOut(ctx, "nothing of the request arrived for " + seconds(stallNanos) + " s: send it again"
                    + " (" + prefix + ".stall-timeout)");
        } else if (partial && !headArrived && reading - headStarted > headNanos) {
            timeOut(ctx, "the request line and headers did not arrive whole within " + seconds(headNanos)
                    + " s of their first byte: send them at once (" + prefix + "."
                    + (headNanos < stallNanos ? "head-timeout)" : "stall-timeout)"));
        } else if (!partial && requests == 0 && answered == 0 && now - opened > headNanos) {
            ctx.channel().close(); // a connection that never began a request
        } else if (partial && reservedBody > 0 && pace != null && (behind = pace.behind(reservedBody, bodyBytes,
                reading - bodyStarted)) != null) {
            timeOut(ctx, behind);
        } else if (partial && headArrived && minBodyRate > 0 && reading - windowStarted >= stallNanos) {
            double window = (reading - windowStarted) / 1e9;
            if (bytesInWindow < minBodyRate * window) {
                timeOut(ctx, String.format(Locale.ROOT, "the request body arrived at %d bytes in %.0f s, less than the"
                        + " %d bytes/s this receiver needs: send it again over a faster link"
                        + " (%s.min-body-rate)", bytesInWindow, window, minBodyRate, prefix));
            } else {
                startWindow();
            }
        } else if ((!partial || held.getAsBoolean()) && answered >= requests && now - lastActivity > idleNanos) {
            ctx.channel().close(); // keep-alive timeout, or requests held unread while the client took no answer
        }
    }

    /** Answers 408 {@code request_timeout} with {@code message} and closes the connection. */
    private void timeOut(ChannelHandlerContext ctx, String message) {
        partial = false;
        reservedBody = 0;
        closedHere = true;
        rejected.accept("request_timeout");
        FullHttpResponse answer = NettyJsonAnswers.error(HttpResponseStatus.REQUEST_TIMEOUT, "request_timeout", message);
        answer.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.channel().writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
    }

    private static long seconds(long nanos) {
        return nanos / 1_000_000_000;
    }
}
