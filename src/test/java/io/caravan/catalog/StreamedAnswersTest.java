package io.caravan.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.session.RequestRejectedException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/**
 * Answers written while they are sent: one more than the writers allow is refused at once with 503
 * {@code busy} (its resource closed, nothing written), and an answer whose client has gone makes its
 * writer's next write fail, so its work ends. A connection that takes the bytes as they come gets
 * them as fast as the writer writes them, not a buffer's worth at a time.
 */
class StreamedAnswersTest {

    /** One answer at once on {@code pool}, 1 KiB waiting at most. */
    private static StreamedAnswers oneAtOnce(ExecutorService pool) {
        return new StreamedAnswers(new ArchiveWriters(pool, 1, "writes 1 listing", "caravan.receiver.listing-threads"),
                1024);
    }

    @Test
    void oneMoreThanTheWritersIsBusyAndClosesItsResource() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(1);
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            StreamedAnswers answers = oneAtOnce(pool);
            CountDownLatch release = new CountDownLatch(1);
            Exchange first = new DefaultExchange(context);
            ArchivePipe body = answers.answer(first, "first", "application/json", out -> {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, null);
            assertThat(first.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(200);
            assertThat(body.headers().get("Content-Type")).isEqualTo("application/json");

            AtomicBoolean closed = new AtomicBoolean();
            assertThatThrownBy(() -> answers.answer(new DefaultExchange(context), "second", "application/json",
                    out -> out.write('x'), () -> closed.set(true)))
                    .isInstanceOfSatisfying(RequestRejectedException.class, e -> assertThat(e.httpStatus()).isEqualTo(503))
                    .hasMessageContaining("writes 1 listing at once (caravan.receiver.listing-threads)");
            assertThat(closed).isTrue();
            release.countDown();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aClientThatHasGoneEndsTheWriter() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(1);
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            StreamedAnswers answers = oneAtOnce(pool);
            CountDownLatch ended = new CountDownLatch(1);
            long[] written = new long[1];
            ArchivePipe body = answers.answer(new DefaultExchange(context), "endless", "application/json", out -> {
                byte[] piece = new byte[100];
                while (true) {
                    out.write(piece);
                    written[0] += piece.length;
                }
            }, ended::countDown);
            body.close(); // the transfer ended: the client went away

            assertThat(ended.await(10, TimeUnit.SECONDS)).as("the writer ended").isTrue();
            assertThat(written[0]).isLessThan(1_000_000);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aWriterFasterThanItsBufferIsNotHeldBackOnceTheBytesAreTaken() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(1);
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            StreamedAnswers answers = oneAtOnce(pool);
            int size = 4 << 20; // four thousand times the buffer
            CountDownLatch ended = new CountDownLatch(1);
            ArchivePipe body = answers.answer(new DefaultExchange(context), "fast", "application/json", out -> {
                byte[] piece = new byte[8192];
                for (int sent = 0; sent < size; sent += piece.length) {
                    out.write(piece);
                }
            }, ended::countDown);
            long start = System.nanoTime();
            long taken = 0;
            while (!body.isEndOfInput() && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20)) {
                io.netty.handler.codec.http.HttpContent piece = body.readChunk(io.netty.buffer.ByteBufAllocator.DEFAULT);
                if (piece == null) {
                    Thread.onSpinWait(); // as Netty does when woken: take what is there, nothing is waited for
                    continue;
                }
                taken += piece.content().readableBytes();
                piece.release();
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(taken).isEqualTo(size);
            assertThat(millis).as("milliseconds for %d bytes through a 1 KiB buffer", size).isLessThan(5000);
            assertThat(ended.await(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            pool.shutdownNow();
        }
    }
}
