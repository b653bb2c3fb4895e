package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.DefaultEventExecutor;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A request queued for camel-netty's handler on its executor while that executor is busy: when its connection
 * closes before its turn, a GET or HEAD is dropped there (its bytes released), other methods still reach the
 * handler; a request of a connection still open reaches it whatever its method.
 */
class HungUpRequestsTest {

    private final DefaultEventExecutor executor = new DefaultEventExecutor();
    private final List<String> served = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        executor.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    @Test
    void aGetOrHeadOfAConnectionClosedBeforeItsTurnIsDroppedAndReleased() throws Exception {
        FullHttpRequest get = request(HttpMethod.GET, "/shares/s1/events?since=0&timeout=25");
        FullHttpRequest head = request(HttpMethod.HEAD, "/files/a");
        EmbeddedChannel channel = channel();
        CountDownLatch busy = block();
        channel.pipeline().fireChannelRead(get);
        channel.pipeline().fireChannelRead(head);
        channel.close();
        busy.countDown();
        drain();

        assertThat(served).isEmpty();
        assertThat(get.refCnt()).isZero();
        assertThat(head.refCnt()).isZero();
    }

    @Test
    void anUploadOfAConnectionClosedBeforeItsTurnIsStillServed() throws Exception {
        EmbeddedChannel channel = channel();
        CountDownLatch busy = block();
        channel.pipeline().fireChannelRead(request(HttpMethod.PUT, "/upload/s/0"));
        channel.pipeline().fireChannelRead(request(HttpMethod.POST, "/finish/s"));
        channel.close();
        busy.countDown();
        drain();

        assertThat(served).containsExactly("PUT /upload/s/0", "POST /finish/s");
    }

    @Test
    void aGetOfAConnectionStillOpenIsServed() throws Exception {
        EmbeddedChannel channel = channel();
        channel.pipeline().fireChannelRead(request(HttpMethod.GET, "/health"));
        drain();

        assertThat(served).containsExactly("GET /health");
        channel.close();
    }

    /** A channel whose last handler stands for camel-netty's, on {@link #executor}, with the handler put before it. */
    private EmbeddedChannel channel() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast(executor, HungUpRequests.CAMEL_HANDLER, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof FullHttpRequest request) {
                    served.add(request.method() + " " + request.uri());
                    request.release();
                }
            }
        });
        HungUpRequests.addTo(channel.pipeline());
        return channel;
    }

    /** Keeps the executor busy until the latch is counted down, as a route being served does. */
    private CountDownLatch block() throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        executor.execute(() -> {
            started.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        return release;
    }

    /** Waits until everything queued on the executor before now has run. */
    private void drain() throws Exception {
        executor.submit(() -> { }).get(5, TimeUnit.SECONDS);
    }

    private static FullHttpRequest request(HttpMethod method, String uri) {
        return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri, Unpooled.copiedBuffer(new byte[] {1, 2, 3}));
    }
}
