package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * A piece of a request body that is a small slice of a large read buffer (what a slow link gives: each
 * socket read fills little of its buffer) leaves the gate in a buffer of its own size and lets the large
 * one go, so an aggregated chunk body pins about its own size of memory, not many times it. A piece that
 * fills its buffer passes as it is, without a copy.
 */
class RequestGateCompactsBodyPiecesTest {

    private static EmbeddedChannel gate() {
        EmbeddedChannel channel = new EmbeddedChannel(new RequestGate(BearerToken.NONE, 1 << 20, 64 << 20, code -> { }, null, null));
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PUT, "/upload/abc/0");
        request.headers().set(HttpHeaderNames.CONTENT_LENGTH, 200_000);
        channel.writeInbound(request);
        assertThat((Object) channel.readInbound()).isSameAs(request);
        return channel;
    }

    @Test
    void aSmallSliceOfALargeReadBufferLeavesInABufferOfItsOwnSize() {
        EmbeddedChannel channel = gate();
        byte[] bytes = new byte[1400];
        Arrays.fill(bytes, (byte) 42);
        ByteBuf read = Unpooled.directBuffer(65_536).writeBytes(bytes);
        HttpContent piece = new DefaultHttpContent(read.retainedSlice(0, 1400));
        read.release(); // the decoder's cumulation lets go of the read buffer; only the slice holds it now

        channel.writeInbound(piece);

        HttpContent passed = channel.readInbound();
        ByteBuf content = passed.content();
        ByteBuf under = content.unwrap() != null ? content.unwrap() : content;
        assertThat(under.capacity()).as("memory the piece keeps alive").isLessThan(4096);
        byte[] copy = new byte[content.readableBytes()];
        content.getBytes(content.readerIndex(), copy);
        assertThat(copy).isEqualTo(bytes);
        assertThat(read.refCnt()).as("the read buffer is let go").isZero();
        passed.release();
        channel.finishAndReleaseAll();
    }

    @Test
    void aPieceThatFillsItsBufferPassesAsItIs() {
        EmbeddedChannel channel = gate();
        ByteBuf read = Unpooled.directBuffer(65_536).writeBytes(new byte[60_000]);
        HttpContent piece = new DefaultHttpContent(read);

        channel.writeInbound(piece);

        HttpContent passed = channel.readInbound();
        assertThat(passed).isSameAs(piece);
        passed.release();
        channel.finishAndReleaseAll();
    }
}
