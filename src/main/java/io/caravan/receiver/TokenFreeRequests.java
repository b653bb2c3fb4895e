package io.caravan.receiver;

import io.caravan.console.ConsoleAccess;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import java.util.function.Consumer;

/**
 * The requests anyone may send without the token: the health probe ({@code GET} or {@code HEAD /health})
 * and the console's open requests ({@link ConsoleAccess#open}). None needs more than a login form's body,
 * so each may carry at most {@value #MAX_BODY} bytes, whatever {@code caravan.receiver.max-json-body} says:
 * {@link RequestGate} refuses a larger declared {@code Content-Length} from the headers, and this handler,
 * placed behind the gate on one connection, cuts a chunked body as soon as it grows past the limit
 * (413 {@code body_too_large}, then the connection closes), so at most that much of it is ever held.
 */
final class TokenFreeRequests extends ChannelInboundHandlerAdapter {

    /** The largest body a request without the token may carry: a login form holds a token and little more. */
    static final int MAX_BODY = 8192;

    private final Consumer<String> rejected;
    private final ReceiverAudit audit;
    private String uri;
    private long left = -1;

    /** {@code rejected} counts each cut body, {@code audit} (null: none) records it with the client's address. */
    TokenFreeRequests(Consumer<String> rejected, ReceiverAudit audit) {
        this.rejected = rejected;
        this.audit = audit;
    }

    /** Whether a request for {@code path} (without its query) needs no token. */
    static boolean open(String method, String path) {
        return (method.equals("GET") || method.equals("HEAD")) && path.equals("/health") || ConsoleAccess.open(method, path);
    }

    /** The 413 for a token-free request whose body is {@code length} bytes (negative: not known yet). */
    static FullHttpResponse tooLarge(long length) {
        return NettyJsonAnswers.error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "body_too_large",
                "the request body is " + (length < 0 ? "larger than " + MAX_BODY + " bytes" : length + " bytes")
                        + ", more than this receiver reads on a request without a token (" + MAX_BODY + " bytes)");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            uri = request.uri();
            left = open(request.method().name(), uri.split("\\?", 2)[0]) ? MAX_BODY : -1;
        }
        if (left == Long.MIN_VALUE) { // cut: the rest of this connection's bytes are dropped
            ReferenceCountUtil.release(msg);
            return;
        }
        if (left >= 0 && msg instanceof HttpContent content) {
            left -= content.content().readableBytes();
            if (left < 0) {
                ReferenceCountUtil.release(msg);
                left = Long.MIN_VALUE;
                cut(ctx);
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    private void cut(ChannelHandlerContext ctx) {
        rejected.accept("body_too_large");
        if (audit != null) {
            audit.refused(ctx.channel().remoteAddress(), uri, 413, "body_too_large");
        }
        FullHttpResponse answer = tooLarge(-1);
        answer.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.channel().writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
    }
}
