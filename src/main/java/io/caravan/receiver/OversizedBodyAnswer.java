package io.caravan.receiver;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;

/**
 * Netty's aggregator with the receiver's usual refusal for a body over its limit: 413 with a JSON
 * body {@code {error: "body_too_large", message}}, instead of Netty's empty 413. Most such bodies
 * are refused earlier by {@link RequestGate} from their {@code Content-Length}; this one catches
 * chunked bodies that grow past the limit. What stays open or closes is as in Netty's own.
 */
final class OversizedBodyAnswer extends HttpObjectAggregator {

    OversizedBodyAnswer(int maxContentLength) {
        super(maxContentLength);
    }

    /** A client that asked for 100-continue gets the JSON 413 instead of Netty's empty one, and sends no body. */
    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        Object response = super.newContinueResponse(start, maxContentLength, pipeline);
        if (response instanceof FullHttpResponse answer
                && answer.status().code() == HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE.code()) {
            ReferenceCountUtil.release(answer);
            return tooLarge(maxContentLength);
        }
        return response;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) throws Exception {
        if (!(oversized instanceof HttpRequest)) {
            super.handleOversizedMessage(ctx, oversized);
            return;
        }
        FullHttpResponse response = tooLarge(maxContentLength());
        // the client may be sending the body already: unless it waits for 100-continue or keeps the
        // connection, close it after the answer (the rest of the body is discarded either way)
        if (oversized instanceof FullHttpMessage
                || !HttpUtil.is100ContinueExpected(oversized) && !HttpUtil.isKeepAlive(oversized)) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
    }

    private static FullHttpResponse tooLarge(int maxContentLength) {
        return NettyJsonAnswers.error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "body_too_large",
                "the request body is larger than this receiver accepts (" + maxContentLength
                        + " bytes); send smaller chunks");
    }
}
