package io.caravan.catalog;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.stream.ChunkedWriteHandler;
import java.io.IOException;
import java.util.concurrent.RejectedExecutionException;
import org.apache.camel.Exchange;
import org.apache.camel.component.netty.NettyConstants;

/**
 * 200 answers written while they are sent ({@link ArchivePipe}): the writer runs on a thread of its
 * {@link ArchiveWriters} (503 {@code busy} when none is free), at most {@code bufferSize} bytes wait
 * between it and the connection, and a client that goes away makes its next write fail (so its work
 * ends); so does one whose connection is closed because it took nothing for the stall timeout (the
 * receiver's connection watch). So an answer of any size costs one thread and a bounded buffer, never
 * the whole answer in memory.
 */
public final class StreamedAnswers {

    private final ArchiveWriters writers;
    private final int bufferSize;

    /** Answers written on {@code writers}, {@code bufferSize} bytes waiting at most. */
    public StreamedAnswers(ArchiveWriters writers, int bufferSize) {
        this.writers = writers;
        this.bufferSize = bufferSize;
    }

    /**
     * Answers {@code exchange} 200 ({@code contentType}, chunked) with what {@code writer} writes on a
     * thread named {@code name}; {@code resource} is closed when the writer ends, or at once when it
     * cannot start (503 {@code busy}, thrown). The returned answer takes more headers.
     */
    public ArchivePipe answer(Exchange exchange, String name, String contentType, ArchivePipe.Writer writer,
                              AutoCloseable resource) throws Exception {
        ArchivePipe body;
        try {
            java.net.SocketAddress remote = exchange.getMessage().getHeader(NettyConstants.NETTY_REMOTE_ADDRESS,
                    java.net.SocketAddress.class);
            body = ArchivePipe.start(writers, name, remote instanceof java.net.InetSocketAddress socket ? socket.getAddress()
                    : null, bufferSize, writer, resource, transferWaker(exchange), hangUp(exchange));
        } catch (IOException | RuntimeException e) {
            if (resource != null) {
                resource.close();
            }
            throw e;
        }
        CatalogApi.answer(exchange, body, -1, contentType);
        return body;
    }

    /**
     * What wakes the transfer of this request's answer (Netty's {@code ChunkedWriteHandler}) when the
     * writer has more bytes; nothing outside Netty.
     */
    private static Runnable transferWaker(Exchange exchange) {
        ChannelHandlerContext context = exchange.getMessage()
                .getHeader(NettyConstants.NETTY_CHANNEL_HANDLER_CONTEXT, ChannelHandlerContext.class);
        ChunkedWriteHandler transfer = context == null ? null : context.pipeline().get(ChunkedWriteHandler.class);
        if (transfer == null) {
            return () -> { };
        }
        return () -> {
            try {
                transfer.resumeTransfer();
            } catch (RejectedExecutionException stopped) {
                // the server stopped: there is no transfer left to wake
            }
        };
    }

    /** What closes this request's connection (an answer that fails after its 200 must end there); null outside Netty. */
    private static Runnable hangUp(Exchange exchange) {
        ChannelHandlerContext context = exchange.getMessage()
                .getHeader(NettyConstants.NETTY_CHANNEL_HANDLER_CONTEXT, ChannelHandlerContext.class);
        return context == null ? null : context.channel()::close;
    }
}
