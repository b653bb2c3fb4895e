package io.caravan.receiver;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * A request the {@link RequestGate} refuses from its headers: the answer it gets and the code the refusal is
 * counted and audited under (the {@code error} of the answer's JSON body).
 */
record GateRefusal(String code, FullHttpResponse answer) {

    /** The refusal with {@code status} and the JSON error body {@code {"error": code, "message": message}}. */
    static GateRefusal of(HttpResponseStatus status, String code, String message) {
        return new GateRefusal(code, NettyJsonAnswers.error(status, code, message));
    }
}
