package io.caravan.catalog;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.netty.NettyConstants;
import org.apache.camel.component.netty.http.NettyHttpMessage;

/**
 * Hands an answer sent piece by piece ({@link PieceAnswer}: files, chunks, bundles, listings, archives) to
 * netty-http, which sends such an answer as it is and so leaves the request's connection rules to it
 * (RFC 9112): a request that is not keep-alive ({@code Connection: close}, or HTTP/1.0 without
 * {@code keep-alive}) gets {@code Connection: close} and its connection closed once the answer is sent
 * (a {@link PieceAnswer} closes it after its last piece: netty-http would close it once the head is sent);
 * an HTTP/1.0 request never gets {@code Transfer-Encoding}: an answer of unknown length is then sent
 * as it is and ended by closing the connection.
 */
public final class AnswerConnection {

    private AnswerConnection() {
    }

    /** Makes {@code response} the exchange's answer (its status, no other message header), fitted to the request's connection. */
    public static void send(Exchange exchange, HttpResponse response) {
        NettyHttpMessage netty = exchange.getIn(NettyHttpMessage.class);
        HttpRequest request = netty == null ? null : netty.getHttpRequest();
        Message out = exchange.getMessage();
        out.removeHeaders("*");
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, response.status().code());
        out.setBody(response);
        if (request == null) {
            return;
        }
        boolean close = !HttpUtil.isKeepAlive(request);
        if (HttpVersion.HTTP_1_0.equals(request.protocolVersion()) && HttpUtil.isTransferEncodingChunked(response)) {
            response.headers().remove(HttpHeaderNames.TRANSFER_ENCODING); // the end of the body is the end of the connection
            close = true;
        }
        if (close) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            if (!(response instanceof PieceAnswer piece && piece.closeConnectionAfter())) {
                out.setHeader(NettyConstants.NETTY_CLOSE_CHANNEL_WHEN_COMPLETE, true);
            }
        } else if (HttpVersion.HTTP_1_0.equals(request.protocolVersion())) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
    }
}
