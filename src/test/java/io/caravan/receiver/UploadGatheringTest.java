package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.util.DirectMemoryBudget;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A chunk upload whose body arrives as small slices of large read buffers (what a slow link gives:
 * each socket read fills little of its buffer) leaves the gathering as one request whose body is one
 * buffer of exactly its declared size, every read buffer let go on the way; so a connection pins about
 * one body of memory, not many times it. A client expecting {@code 100 Continue} gets it. Each body's
 * declared size is reserved in the receiver's direct-memory budget before any of it is read or
 * acknowledged and given back when the body is let go, whether the request was whole or its connection
 * closed first; an upload the budget has no room for is answered 503 {@code busy} with
 * {@code Retry-After} instead of {@code 100 Continue}, and its connection closed (after the body, dropped
 * piece by piece, when the client sends it without waiting).
 */
class UploadGatheringTest {

    @Test
    void anUploadArrivingInSmallSlicesBecomesOneBodyOfItsOwnSize() {
        EmbeddedChannel channel = new EmbeddedChannel(new UploadGathering(64 << 20, null, code -> { }));
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
        EmbeddedChannel channel = new EmbeddedChannel(new UploadGathering(64 << 20, null, code -> { }));
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/start");
        request.headers().set(HttpHeaderNames.CONTENT_LENGTH, 2);
        channel.writeInbound(request);
        assertThat((Object) channel.readInbound()).isSameAs(request);
        channel.finishAndReleaseAll();
    }

    @Test
    void aBodyHoldsItsSizeOfTheBudgetUntilItIsLetGo() {
        DirectMemoryBudget budget = budget(64 << 10);
        EmbeddedChannel channel = gathering(budget);
        channel.writeInbound(upload(20_000, false));
        assertThat(budget.held()).as("reserved from the headers, before any body byte").isEqualTo(20_000);
        channel.writeInbound(new DefaultLastHttpContent(Unpooled.wrappedBuffer(new byte[20_000])));
        FullHttpRequest whole = channel.readInbound();
        assertThat(budget.held()).as("held while the request is worked on").isEqualTo(20_000);
        whole.content().retain(); // kept for the extraction after the answer, as the read-ahead does
        whole.release();
        assertThat(budget.held()).isEqualTo(20_000);
        whole.content().release();
        assertThat(budget.held()).as("given back once the body is freed").isZero();
        channel.finishAndReleaseAll();
    }

    @Test
    void anUploadTheBudgetHasNoRoomForIsRefusedBeforeItsBody() {
        DirectMemoryBudget budget = budget(30_000);
        List<String> rejected = new CopyOnWriteArrayList<>();
        EmbeddedChannel first = new EmbeddedChannel(new UploadGathering(64 << 20, budget, rejected::add));
        first.writeInbound(upload(20_000, false));
        EmbeddedChannel second = new EmbeddedChannel(new UploadGathering(64 << 20, budget, rejected::add));
        second.writeInbound(upload(20_000, true));

        FullHttpResponse answer = second.readOutbound();
        assertThat(answer.status()).as("instead of 100 Continue").isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
        assertThat(answer.headers().get(HttpHeaderNames.RETRY_AFTER)).isNotBlank();
        assertThat(answer.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo(HttpHeaderValues.CLOSE.toString());
        assertThat(answer.content().toString(StandardCharsets.UTF_8)).contains("\"busy\"", "caravan.receiver.direct-memory",
                "retry later");
        answer.release();
        assertThat(second.isOpen()).as("the connection closes: its body is not read").isFalse();
        assertThat(rejected).containsExactly("busy");
        assertThat(budget.held()).as("the refused upload holds nothing").isEqualTo(20_000);
        assertThat((Object) second.readInbound()).as("nothing of the refused upload passed").isNull();
        assertThatThrownBy(first::finishAndReleaseAll).as("the first body was cut short")
                .isInstanceOf(PrematureChannelClosureException.class);
        second.finishAndReleaseAll();
    }

    @Test
    void aRefusedBodySentAnywayIsDroppedAndItsConnectionClosedAfterIt() {
        DirectMemoryBudget budget = budget(10_000);
        EmbeddedChannel channel = gathering(budget);
        channel.writeInbound(upload(20_000, false));
        FullHttpResponse answer = channel.readOutbound();
        assertThat(answer.status()).isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
        answer.release();
        ByteBuf piece = Unpooled.wrappedBuffer(new byte[12_000]);
        channel.writeInbound(new DefaultHttpContent(piece));
        assertThat(piece.refCnt()).as("dropped at once").isZero();
        assertThat(channel.isOpen()).as("open until the body the client sends anyway has arrived").isTrue();
        channel.writeInbound(new DefaultLastHttpContent(Unpooled.wrappedBuffer(new byte[8_000])));
        assertThat(channel.isOpen()).isFalse();
        assertThat((Object) channel.readInbound()).isNull();
        assertThat(budget.held()).isZero();
        channel.finishAndReleaseAll();
    }

    @Test
    void aStalledUploadGivesItsReservationBackWhenItsConnectionCloses() {
        DirectMemoryBudget budget = budget(64 << 10);
        EmbeddedChannel channel = gathering(budget);
        channel.writeInbound(upload(40_000, false), new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[10])));
        assertThat(budget.held()).isEqualTo(40_000);
        channel.close(); // the stall timeout, or the client going
        assertThat(budget.held()).isZero();
        assertThatThrownBy(channel::finishAndReleaseAll).as("said as the aggregator says it, for the connection's watch")
                .isInstanceOf(PrematureChannelClosureException.class);
    }

    @Test
    void aBudgetThatCannotHoldTheLargestBodyStopsTheStart() {
        ReceiverPipeline pipeline = new ReceiverPipeline(BearerToken.of(null), 1 << 20, 9 << 20, code -> { });
        assertThatThrownBy(() -> pipeline.directMemory(budget(8 << 20)))
                .hasMessageContaining("caravan.receiver.direct-memory=8388608").hasMessageContaining("9437184");
    }

    private static DirectMemoryBudget budget(long bytes) {
        return new DirectMemoryBudget(DirectMemoryBudget.SETTING, bytes);
    }

    private static EmbeddedChannel gathering(DirectMemoryBudget budget) {
        return new EmbeddedChannel(new UploadGathering(64 << 20, budget, code -> { }));
    }

    private static HttpRequest upload(int length, boolean expectContinue) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PUT, "/upload/abc/0");
        request.headers().set(HttpHeaderNames.CONTENT_LENGTH, length);
        if (expectContinue) {
            request.headers().set(HttpHeaderNames.EXPECT, "100-continue");
        }
        return request;
    }
}
