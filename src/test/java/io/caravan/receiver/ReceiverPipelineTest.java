package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.util.DirectMemoryBudget;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The pipeline's settings may be given in any order: the address share and the direct-memory budget it is a
 * share of make one {@link AddressShares} once both are known, whichever was set first.
 */
class ReceiverPipelineTest {

    private static final int MIB = 1 << 20;
    private final List<EmbeddedChannel> channels = new ArrayList<>();

    @AfterEach
    void close() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
    }

    @Test
    void theAddressShareSetAfterTheBudgetIsTheOneApplied() {
        assertThat(nextBodyOfAnAddressHoldingThreeQuarters(25)).as("the first address beyond its share while another waits")
                .contains("caravan.receiver.address-share=25%");
    }

    @Test
    void noShareSetAfterTheBudgetLimitsNoAddress() {
        assertThat(nextBodyOfAnAddressHoldingThreeQuarters(100)).as("refused for the budget alone, no share")
                .contains("hold all the direct memory").doesNotContain("address-share");
    }

    /**
     * With a 4 MiB budget, then the share: one address sends three 1 MiB bodies, another one and then one more,
     * which waits; the refusal of the first address's next body.
     */
    private String nextBodyOfAnAddressHoldingThreeQuarters(int share) {
        DirectMemoryBudget budget = new DirectMemoryBudget(DirectMemoryBudget.SETTING, 4L * MIB);
        ReceiverPipeline pipeline = new ReceiverPipeline(BearerToken.of(null), MIB, MIB, code -> { })
                .directMemory(budget).addressShare(share);
        for (int i = 0; i < 3; i++) {
            assertThat(startUpload(pipeline, "127.0.0.1", i)).as("body %d from the first address, nobody waiting", i).isNull();
        }
        assertThat(startUpload(pipeline, "127.0.0.2", 3)).as("the other address's first body").isNull();
        assertThat(startUpload(pipeline, "127.0.0.2", 4)).as("the budget full: it waits").contains("hold all the direct memory");
        return startUpload(pipeline, "127.0.0.1", 5);
    }

    /** Sends the head of a 1 MiB upload from {@code address} on a new connection; the refusal's body, or null when the body may come. */
    private String startUpload(ReceiverPipeline pipeline, String address, int index) {
        EmbeddedChannel channel = new EmbeddedChannel(pipeline.newChannelHandler()) {
            @Override
            protected SocketAddress remoteAddress0() {
                return new InetSocketAddress(address, 40000 + index);
            }
        };
        channels.add(channel);
        HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PUT, "/upload/abc/" + index);
        head.headers().set(HttpHeaderNames.CONTENT_LENGTH, MIB);
        channel.writeInbound(head);
        Object answer = channel.readOutbound();
        if (answer instanceof FullHttpResponse response) {
            try {
                return response.content().toString(StandardCharsets.UTF_8);
            } finally {
                response.release();
            }
        }
        return null;
    }
}
