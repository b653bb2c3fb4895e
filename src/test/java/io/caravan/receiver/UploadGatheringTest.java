package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A chunk upload whose body arrives as small slices of large read buffers (what a slow link gives:
 * each socket read fills little of its buffer) leaves the gathering as one request whose body is one
 * buffer of exactly its declared size, every read buffer let go on the way; so a connection pins about
 * one body of memory, not many times it. A client expecting {@code 100 Continue} gets it.
 */
class UploadGatheringTest {

    @Test
    void anUploadArrivingInSmallSlicesBecomesOneBodyOfItsOwnSize() {
        EmbeddedChannel channel = new EmbeddedChannel(new UploadGathering(64 << 20, code -> { }));
        byte[] bytes = new byte[20_000];
        new Random(7).nextBytes(bytes);
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PUT, "/upload/abc/0");
        request.headers().set(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        request.headers().set(HttpHeaderNames.EXPECT, "100-continue");
        channel.writeInbound(request);
        List<ByteBuf> reads = new ArrayList<>();
        for (int at = 0; at < bytes.length; at += 1400) {
            ByteBuf read = Unpooled.directBuffer(65_536).writeBytes(bytes, at, Math.min(1400, bytes.length - at));
            reads.add(read);
            ByteBuf slice = read.retainedSlice(0, read.readableBytes());
            read.release(); // the decoder lets go of the read buffer; only the slice holds it now
            channel.writeInbound(at + 1400 >= bytes.length ? new DefaultLastHttpContent(slice) : new DefaultHttpContent(slice));
        }

        FullHttpRequest whole = channel.readInbound();
        assertThat(whole.uri()).isEqualTo("/upload/abc/0");
        assertThat(whole.content().capacity()).as("memory the body keeps").isEqualTo(bytes.length);
        byte[] got = new byte[whole.content().readableBytes()];
        whole.content().getBytes(0, got);
        assertThat(got).isEqualTo(bytes);
        assertThat(reads).allSatisfy(read -> assertThat(read.refCnt()).as("a read buffer let go").isZero());
        HttpResponse continued = channel.readOutbound();
        assertThat(continued.status()).isEqualTo(HttpResponseStatus.CONTINUE);
        assertThat((Object) channel.readInbound()).as("nothing else passed").isNull();
        whole.release();
        channel.finishAndReleaseAll();
    }

    @Test
    void otherRequestsPassAsTheyCame() {
        EmbeddedChannel channel = new EmbeddedChannel(new UploadGathering(64 << 20, code -> { }));
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/start");
        request.headers().set(HttpHeaderNames.CONTENT_LENGTH, 2);
        channel.writeInbound(request);
        assertThat((Object) channel.readInbound()).isSameAs(request);
        channel.finishAndReleaseAll();
    }
}
