package io.caravan.receiver;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;

/**
 * Drops a {@code GET} or {@code HEAD} whose connection closed before its turn came, instead of serving it
 * to nobody. camel-netty hands each request to its executor group, whose queue a client that sends
 * requests and hangs up at once can fill faster than routes serve them; those requests' connections are
 * closed, so they no longer count within the {@link ConnectionLimit}, yet each queued one holds its
 * channel and pipeline until it is served. Put right before camel-netty's handler, on that handler's own
 * executor, it sees each request just before it would become an exchange: a dead one costs a check, not a
 * route, and the queue drains at once. Other methods are served still (an upload or a finish whose client
 * hung up is kept, as it always was).
 */
@ChannelHandler.Sharable
final class HungUpRequests extends ChannelInboundHandlerAdapter {

    /** The name of camel-netty's handler, which serves requests as exchanges. */
    static final String CAMEL_HANDLER = "handler";
    private static final HungUpRequests INSTANCE = new HungUpRequests();

    private HungUpRequests() {
    }

    /** Puts the handler before camel-netty's in {@code pipeline}, on the same executor (nothing when there is none). */
    static void addTo(ChannelPipeline pipeline) {
        ChannelHandlerContext camel = pipeline.context(CAMEL_HANDLER);
        if (camel != null && pipeline.get(HungUpRequests.class) == null) {
            pipeline.addBefore(camel.executor(), CAMEL_HANDLER, "caravan-hung-up-requests", INSTANCE);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!ctx.channel().isActive() && msg instanceof HttpRequest request
                && (request.method().equals(HttpMethod.GET) || request.method().equals(HttpMethod.HEAD))) {
            ReferenceCountUtil.release(msg);
            return;
        }
        ctx.fireChannelRead(msg);
    }
}
