package io.caravan.receiver;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerAdapter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import org.apache.camel.component.netty.ChannelHandlerFactory;

/**
 * Gives a request body over netty-http's aggregation limit the receiver's usual refusal, 413 with a
 * JSON body {@code {error: "body_too_large", message}}, instead of Netty's empty 413. Netty answers
 * it before Camel sees the request, so the receiver's error handling cannot; this is registered as
 * a netty-http {@code decoders} entry (see routes/receiver.camel.yaml), and on each new connection
 * swaps the pipeline's aggregator for one that answers in JSON, then steps out.
 */
public final class OversizedBodyAnswer extends ChannelHandlerAdapter implements ChannelHandlerFactory {

    @Override
    public ChannelHandler newChannelHandler() {
        return new Installer();
    }

    /** Runs once per connection, when its pipeline is complete. */
    private static final class Installer extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ChannelPipeline pipeline = ctx.pipeline();
            HttpObjectAggregator aggregator = pipeline.get(HttpObjectAggregator.class);
            if (aggregator != null && !(aggregator instanceof JsonAggregator)) {
                pipeline.replace(aggregator, pipeline.context(aggregator).name(), new JsonAggregator(aggregator.maxContentLength()));
            }
            pipeline.remove(this);
            ctx.fireChannelActive();
        }
    }

    /** Netty's aggregator with a JSON 413; what stays open or closes is as in Netty's own. */
    static final class JsonAggregator extends HttpObjectAggregator {

        JsonAggregator(int maxContentLength) {
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
            String json = "{\"error\":\"body_too_large\",\"message\":\"the request body is larger than this receiver accepts ("
                    + maxContentLength + " bytes: caravan.receiver.max-chunk-size plus 1 MiB); send smaller chunks\"}";
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, Unpooled.copiedBuffer(json, StandardCharsets.UTF_8));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
            return response;
        }
    }
}
