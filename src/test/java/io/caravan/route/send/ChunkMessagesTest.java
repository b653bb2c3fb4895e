package io.caravan.route.send;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

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
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A packing that runs out of heap, its chunks split off on a pool as the ship-http route does: the
 * parcel's exchange ends, failed with the error as the cause of its exception, instead of waiting
 * for chunks forever (the {@code Error} was lost with the pool's thread that met it).
 */
class ChunkMessagesTest {

    @TempDir
    Path tmp;

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
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:parcel")
                            .split().method(new Object() {
                                @SuppressWarnings("unused")
                                public ChunkMessages split(Exchange exchange) {
                                    return new ChunkMessages(exchange.getContext(),
                                            new PackIterator(new Packer(options, outOfHeap), List.of(source)));
                                }
                            }, "split").streaming().parallelProcessing().stopOnException()
                                .process(exchange -> { })
                            .end();
                }
            });
            camel.start();

            Exchange ended = assertTimeoutPreemptively(Duration.ofSeconds(30),
                    () -> camel.createProducerTemplate().send("direct:parcel", e -> e.getMessage().setBody(source.toFile())));

            assertThat(ended.getException()).isNotNull();
            assertThat(Exhaustion.in(ended.getException())).isInstanceOf(OutOfMemoryError.class)
                    .hasMessageContaining("thrown by the test");
        }
    }
}
