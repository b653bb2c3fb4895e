package io.caravan.receiver;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.function.Consumer;

/**
 * Answers a request that ran the receiver out of memory (most often direct buffer memory) while Netty read or
 * aggregated its body with 503 and the JSON error body, so the sender retries later, instead of a
 * connection closed without a word. Nothing of that request was stored; the connection closes.
 */
final class OutOfMemoryAnswer extends ChannelInboundHandlerAdapter {

    private final Consumer<String> rejected;

    OutOfMemoryAnswer(Consumer<String> rejected) {
        this.rejected = rejected;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!outOfMemory(cause)) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        // the connection closes anyway: drop the part of the body held so far first, so the answer has memory to go out
        HttpObjectAggregator aggregator = ctx.pipeline().get(HttpObjectAggregator.class);
        if (aggregator != null) {
            ctx.pipeline().remove(aggregator);
        }
        rejected.accept("busy");
        FullHttpResponse answer = NettyJsonAnswers.error(HttpResponseStatus.SERVICE_UNAVAILABLE, "busy", message(cause));
        answer.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.channel().writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
    }

    static boolean outOfMemory(Throwable cause) {
        return error(cause) != null;
    }

    /**
     * The answer's message for a failure {@link #outOfMemory}: which memory ran out, in fixed words
     * (never the text of an exception that wrapped the error, which can name the request's exchange).
     */
    static String message(Throwable cause) {
        OutOfMemoryError error = error(cause);
        String text = String.valueOf(error == null ? null : error.getMessage()).toLowerCase(java.util.Locale.ROOT);
        String which;
        if (text.contains("direct") || (error != null && error.getClass().getSimpleName().contains("Direct"))) {
            which = "out of direct buffer memory (too many large bodies at once for -XX:MaxDirectMemorySize)";
        } else if (text.contains("heap") || text.contains("gc overhead")) {
            which = "out of heap memory (-Xmx)";
        } else {
            which = "out of memory";
        }
        return "the receiver is " + which + "; nothing was stored, retry later";
    }

    private static OutOfMemoryError error(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof OutOfMemoryError error) {
                return error;
            }
        }
        return null;
    }
}
