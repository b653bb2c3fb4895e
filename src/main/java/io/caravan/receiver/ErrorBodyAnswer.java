package io.caravan.receiver;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.Locale;

/**
 * Gives the empty error answers netty-http writes itself (404 for a path no route serves, 405 for a
 * method it does not take) the receiver's JSON error body {@code {error, message}}, naming the
 * request, and {@code Connection: close} (netty-http closes the connection after them). Sits on the
 * outbound side of one connection, just before the HTTP encoder.
 */
final class ErrorBodyAnswer extends ChannelOutboundHandlerAdapter {

    private String request = "the request";
    private boolean dropEmptyLast;

    /** Called by the {@link RequestGate} for each request, so the answer can name it. */
    void requested(HttpMethod method, String uri) {
        String shown = uri.length() > 200 ? uri.substring(0, 200) + "..." : uri;
        request = method + " " + shown;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse response && emptyError(response)) {
            FullHttpResponse json = NettyJsonAnswers.error(response.status(), code(response.status()), message(response.status()));
            response.headers().forEach(h -> {
                if (!json.headers().contains(h.getKey())) {
                    json.headers().add(h.getKey(), h.getValue());
                }
            });
            // netty-http closes the connection after these answers: say so, or a client reuses it and finds it closed
            json.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            dropEmptyLast = !(msg instanceof LastHttpContent);
            ReferenceCountUtil.release(msg);
            ctx.write(json, promise);
        } else if (dropEmptyLast && msg instanceof LastHttpContent last && !last.content().isReadable()) {
            dropEmptyLast = false;
            ReferenceCountUtil.release(msg);
            promise.setSuccess();
        } else {
            dropEmptyLast = false;
            ctx.write(msg, promise);
        }
    }

    private static boolean emptyError(HttpResponse response) {
        if (response.status().code() < 400) {
            return false;
        }
        String type = response.headers().get(HttpHeaderNames.CONTENT_TYPE);
        boolean json = type != null && type.toLowerCase(Locale.ROOT).startsWith("application/json");
        boolean empty = response instanceof FullHttpResponse full ? !full.content().isReadable()
                : HttpUtil.getContentLength(response, -1L) == 0;
        return !json && empty;
    }

    /** The {@code error} code of an empty answer: fixed for those netty-http gives, the reason phrase's words for any other. */
    private static String code(HttpResponseStatus status) {
        return switch (status.code()) {
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 503 -> "service_unavailable";
            default -> status.reasonPhrase().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
        };
    }

    private String message(HttpResponseStatus status) {
        return switch (status.code()) {
            case 404 -> "no such endpoint: " + request + " (see the receiver's HTTP API in the README)";
            case 405 -> request + ": that method is not served at this path";
            case 503 -> request + ": the receiver is not taking requests right now (it is starting, stopping or busy); retry later";
            default -> request + " answered " + status;
        };
    }
}
