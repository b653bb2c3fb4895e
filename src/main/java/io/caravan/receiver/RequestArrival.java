package io.caravan.receiver;

import io.netty.channel.ChannelHandlerContext;
import io.netty.util.AttributeKey;
import org.apache.camel.Exchange;
import org.apache.camel.component.netty.NettyConstants;

/**
 * When the request being worked on reached the receiver: its head decoded and its last byte read
 * ({@link System#nanoTime}), kept on its connection by the {@link RequestGate} (a connection's
 * requests are decoded one at a time, {@link PacedRequestDecoder}). The time between the two is how
 * long its body took on the wire, which a sender sets against the time the receiver worked on it
 * after its last byte ({@link ReceiverApi#chunkStored}).
 */
record RequestArrival(long headNanos, long lastNanos) {

    static final AttributeKey<RequestArrival> KEY = AttributeKey.valueOf("caravan-request-arrival");

    /** The nanoseconds from the head to the last byte. */
    long bodyNanos() {
        return Math.max(0, lastNanos - headNanos);
    }

    /** The arrival of the exchange's request, or null when it did not come through a receiver's connection. */
    static RequestArrival of(Exchange exchange) {
        ChannelHandlerContext ctx = exchange.getMessage()
                .getHeader(NettyConstants.NETTY_CHANNEL_HANDLER_CONTEXT, ChannelHandlerContext.class);
        return ctx == null ? null : ctx.channel().attr(KEY).get();
    }
}
