package io.caravan.route.send;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.caravan.CaravanHeaders;
import io.caravan.TestTrees;
import io.caravan.pack.Codecs;
import io.caravan.pack.PackIterator;
import io.caravan.pack.PackOptions;
import io.caravan.pack.Packer;
import io.caravan.progress.ProgressListener;
import io.caravan.util.Exhaustion;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.builder.ThreadPoolProfileBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.Synchronization;
import org.apache.camel.spi.ThreadPoolProfile;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.util.concurrent.ThreadPoolRejectedPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chunks split off on a pool as the ship-http route does (streaming, in parallel, stopping on a failure):
 * a packing that runs out of heap fails the parcel's exchange, with the error as the cause of its
 * exception, instead of waiting for chunks forever (the {@code Error} was lost with the pool's thread
 * that met it); a chunk that fails ends the packing, and the pool's threads are all free again.
 */
class ChunkMessagesTest {

    @TempDir
    Path tmp;

    /**
     * Camel's splitter, ending early, goes through the rest of its messages to release their exchanges: it
     * packed the rest of the parcel (all 512 chunks here) before the parcel's exchange ended, and a thread of
     * the pool could be left waiting for a chunk that no longer came.
     */
    @Test
    void aFailedChunkEndsThePackingOfTheRestAndLeavesNoThreadWaiting() throws Exception {
        Path source = tmp.resolve("parcel.bin");
        TestTrees.random(source, 32 * 1024 * 1024, 5);
        AtomicInteger packed = new AtomicInteger();
        ProgressListener chunks = new ProgressListener() {
            @Override
            public void chunk(int index, long size) {
                packed.incrementAndGet();
            }
        };
        PackOptions options = new PackOptions(Codecs.byName("none"), 0, 64 * 1024, "parcel.bin");

        try (CamelContext camel = new DefaultCamelContext()) {
            ExecutorService pool = shipPool(camel);
            Exchange ended = split(camel, pool, new Packer(options, chunks), source, exchange -> {
                if (exchange.getMessage().getHeader(CaravanHeaders.CHUNK_INDEX, Integer.class) == 2) {
                    throw new IllegalStateException("chunk 2 refused (by the test)");
                }
            });

            assertThat(ended.getException()).hasRootCauseMessage("chunk 2 refused (by the test)");
            assertThat(packed.get()).as("the chunks packed of 512").isLessThan(128);
            long start = System.nanoTime();
            camel.getExecutorServiceManager().shutdownGraceful(pool, 5000);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the time the pool took to stop").isLessThan(Duration.ofSeconds(1));
        }
    }

    /**
     * Camel's splitter closes its own copy of the parcel's exchange when a chunk fails, while a thread of the
     * pool may be between this iterator's {@code next()} and making that chunk's exchange from the copy: it
     * then met a {@code NullPointerException}, which Camel set on the parcel's exchange over the chunk's real
     * failure. A chunk's failure must end the messages only once a chunk being handed out has its exchange.
     */
    @Test
    void aChunkFailingWhileTheNextIsHandedOutEndsTheMessagesOnlyOnceTheNextHasItsExchange() throws Exception {
        try (CamelContext camel = new DefaultCamelContext(); ChunkMessages messages = eightChunks(camel)) {
            Exchange first = new DefaultExchange(camel);
            first.setIn(messages.next());
            assertThat(messages.hasNext()).isTrue(); // the splitter asks again: the first chunk's exchange is watched
            Message second = messages.next(); // handed out, its exchange not made yet

            first.setException(new IllegalStateException("chunk 0 refused (by the test)"));
            CompletableFuture<Long> failed = CompletableFuture.supplyAsync(() -> {
                for (Synchronization done : first.getExchangeExtension().handoverCompletions()) {
                    done.onFailure(first);
                }
                return System.nanoTime();
            });
            Thread.sleep(300);
            long made = System.nanoTime();
            new DefaultExchange(camel).setIn(second);

            assertThat(failed.get(5, TimeUnit.SECONDS)).as("when the failure was taken").isGreaterThan(made);
            assertThatThrownBy(messages::hasNext).as("another thread asking for more").hasRootCauseMessage("chunk 0 refused (by the test)");
            assertThat(messages.hasNext()).isFalse();
        }
    }

    /**
     * Camel's splitter takes a chunk's failure (to fail the parcel's exchange with it) on the thread that ended the
     * chunk, after the chunk's exchange is done, which is when these messages end. A thread of the pool asking for
     * the next chunk in between was told there was none, and ended the split as one that went well, without the
     * failure (the finish that followed answered 409 incomplete, not why the chunk failed). Another thread asking
     * then gets the failure; the thread that ended the chunk, and any after, are told there is no next chunk.
     */
    @Test
    void aThreadAskingForMoreAfterAChunkFailedGetsTheFailure() throws Exception {
        try (CamelContext camel = new DefaultCamelContext(); ChunkMessages messages = eightChunks(camel)) {
            Exchange first = new DefaultExchange(camel);
            first.setIn(messages.next());
            assertThat(messages.hasNext()).isTrue(); // the first chunk's exchange is watched
            new DefaultExchange(camel).setIn(messages.next());

            first.setException(new IllegalStateException("chunk 0 refused (by the test)"));
            boolean moreOnTheFailingThread = CompletableFuture.supplyAsync(() -> {
                for (Synchronization done : first.getExchangeExtension().handoverCompletions()) {
                    done.onFailure(first);
                }
                return messages.hasNext();
            }).get(5, TimeUnit.SECONDS);

            assertThat(moreOnTheFailingThread).isFalse();
            assertThatThrownBy(messages::hasNext).hasRootCauseMessage("chunk 0 refused (by the test)")
                    .hasMessageContaining("chunk 0");
            assertThat(messages.hasNext()).as("asked again").isFalse();
            assertThat(messages.next()).isNull();
        }
    }

    @Test
    void aPackingOutOfHeapFailsTheParcelsExchange() throws Exception {
        Path source = tmp.resolve("parcel.bin");
        TestTrees.random(source, 256 * 1024, 3);
        ProgressListener outOfHeap = new ProgressListener() {
            @Override
            public void bytes(long bytes) {
                throw new OutOfMemoryError("Java heap space (thrown by the test)");
            }
        };
        PackOptions options = new PackOptions(Codecs.byName("zstd"), 1, 64 * 1024, "parcel.bin");

        try (CamelContext camel = new DefaultCamelContext()) {
            Exchange ended = split(camel, shipPool(camel), new Packer(options, outOfHeap), source, exchange -> { });

            assertThat(ended.getException()).isNotNull();
            assertThat(Exhaustion.in(ended.getException())).isInstanceOf(OutOfMemoryError.class)
                    .hasMessageContaining("thrown by the test");
        }
    }

    /** The messages of a 512 KiB parcel in eight chunks, stored uncompressed. */
    private ChunkMessages eightChunks(CamelContext camel) throws Exception {
        Path source = tmp.resolve("parcel.bin");
        TestTrees.random(source, 512 * 1024, 7);
        PackOptions options = new PackOptions(Codecs.byName("none"), 0, 64 * 1024, "parcel.bin");
        return new ChunkMessages(camel, new PackIterator(new Packer(options, ProgressListener.NONE), List.of(source)));
    }

    /** A pool as shipPool is made: three threads, none queued, the caller running what they cannot take. */
    private static ExecutorService shipPool(CamelContext camel) {
        ThreadPoolProfile profile = new ThreadPoolProfileBuilder("ChunkPool").poolSize(3).maxPoolSize(3).maxQueueSize(0)
                .rejectedPolicy(ThreadPoolRejectedPolicy.CallerRuns).build();
        return camel.getExecutorServiceManager().newThreadPool(camel, "ChunkPool", profile);
    }

    /**
     * Starts {@code camel} with a route that splits the parcel {@code source} as ship-http does (streaming, in
     * parallel on {@code pool}, stopping on a failure) into the chunks {@code packer} makes, each through
     * {@code step}; sends the parcel and answers its exchange once it ended (in 30 s at the most).
     */
    private static Exchange split(CamelContext camel, ExecutorService pool, Packer packer, Path source, Processor step)
            throws Exception {
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:parcel")
                        .split().method(new Object() {
                            @SuppressWarnings("unused")
                            public ChunkMessages split(Exchange exchange) {
                                return new ChunkMessages(exchange.getContext(), new PackIterator(packer, List.of(source)));
                            }
                        }, "split").streaming().parallelProcessing().executorService(pool).stopOnException()
                            .process(step)
                        .end();
            }
        });
        camel.start();
        return assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> camel.createProducerTemplate().send("direct:parcel", e -> e.getMessage().setBody(source.toFile())));
    }
}
