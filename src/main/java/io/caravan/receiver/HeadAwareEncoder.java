package io.caravan.receiver;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import java.util.ArrayDeque;
import java.util.Queue;

/**
 * The response encoder of a receiver connection, which knows which requests were {@code HEAD}: their
 * answers go out with their status and headers and without a body byte, as HTTP requires (a body
 * after a HEAD answer would be read by the client as the start of the next answer on the connection).
 * netty-http's server pipeline uses a plain {@link HttpResponseEncoder}, which cannot know; the
 * {@link RequestGate} puts this one in its place and tells it each request's method in order.
 * Used on the connection's event loop only.
 */
final class HeadAwareEncoder extends HttpResponseEncoder {

    /** The methods of the requests not answered yet, oldest first. */
    private final Queue<HttpMethod> methods = new ArrayDeque<>();

    /** A request arrived: its answer is the next one after those of the requests before it. */
    void requested(HttpMethod method) {
        methods.add(method);
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpResponse response) {
        if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
            return super.isContentAlwaysEmpty(response); // 100 Continue: the final answer is still to come
        }
        HttpMethod method = methods.poll();
        return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(response);
    }
}
