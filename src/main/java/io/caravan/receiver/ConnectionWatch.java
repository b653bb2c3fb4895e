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
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Bounds how long one connection may hold the receiver without doing anything: a request whose
 * bytes (headers or body) stop arriving for {@code stall} gets 408 {@code request_timeout} with the
 * JSON error body and the connection closes (a client that trickles headers cannot keep connections
 * open forever); a connection idle between requests for {@code idle} is closed quietly, as an HTTP
 * server's keep-alive timeout does. While the receiver works on a request (a long finish, a
 * long-polled share) nothing is timed. All of it runs on the connection's event loop.
 *
 * <p>Two handlers share one watch: {@link #rawReads()} sits first in the pipeline and sees every
 * byte that arrives, {@link #responses()} sits on the outbound side before the encoder and sees each
 * answer end; the {@link RequestGate} says when a request has arrived whole.
 */
final class ConnectionWatch {

    private final long stallNanos;
    private final long idleNanos;
    private final Consumer<String> rejected;
    private long lastActivity = System.nanoTime();
    private boolean partial;
    private long requests;
    private long answers;
    private ScheduledFuture<?> check;

    ConnectionWatch(Duration stall, Duration idle, Consumer<String> rejected) {
        this.stallNanos = stall.toNanos();
        this.idleNanos = idle.toNanos();
        this.rejected = rejected;
    }

    /** The {@link RequestGate} saw the last part of a request: the receiver works on it until its answer ends. */
    void requestArrived() {
        partial = false;
        requests++;
        lastActivity = System.nanoTime();
    }

    /** The inbound handler to put first: every byte read is activity, and starts a request when none is being answered. */
    ChannelInboundHandlerAdapter rawReads() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void handlerAdded(ChannelHandlerContext ctx) {
                // added when the connection opens (by the gate): timed from now
                long period = Math.max(50, Math.min(1000, Math.min(stallNanos, idleNanos) / 4_000_000));
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
                    if (answers >= requests) {
                        partial = true; // bytes of a request that has not arrived whole yet
                    }
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
                if (msg instanceof LastHttpContent) {
                    answers++;
                    lastActivity = System.nanoTime();
                }
                ctx.write(msg, promise);
            }
        };
    }

    private void check(ChannelHandlerContext ctx) {
        if (!ctx.channel().isActive()) {
            return;
        }
        long quiet = System.nanoTime() - lastActivity;
        if (partial && quiet > stallNanos) {
            partial = false;
            rejected.accept("request_timeout");
            FullHttpResponse answer = NettyJsonAnswers.error(HttpResponseStatus.REQUEST_TIMEOUT, "request_timeout",
                    "nothing of the request arrived for " + stallNanos / 1_000_000_000 + " s: send it again"
                            + " (caravan.receiver.stall-timeout)");
            answer.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.channel().writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
        } else if (!partial && answers >= requests && quiet > idleNanos) {
            ctx.channel().close(); // keep-alive timeout
        }
    }
}
