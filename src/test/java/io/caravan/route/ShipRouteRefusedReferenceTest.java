package io.caravan.route;



import io.caravan.InPlaceChange;
import io.caravan.TestTrees;
import io.caravan.pack.Codecs;
import io.caravan.pack.PackOptions;
import io.caravan.progress.ProgressListener;
import io.caravan.receiver.ReceiverFixture;
import io.caravan.receiver.RunningReceiver;
import io.caravan.route.send.ParcelSplitter;
import io.caravan.route.send.Shipper;
import io.caravan.sender.ParcelSender;
import io.caravan.sender.ParcelUpload;
import io.caravan.sender.Retry;
import io.caravan.sender.SenderSettings;
import io.caravan.util.TreeSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipping steps of a route (open, split, put, finish) against a real receiver that refuses a
 * reference entry of the parcel at its finish (the stored file changed after the check): the
 * finish step sends the parcel again with that content, and the source ends up published.
 */
class ShipRouteRefusedReferenceTest {

    @TempDir
    Path tmp;
    @RegisterExtension
    final RunningReceiver running = RunningReceiver.at(() -> tmp.resolve("inbox"))
            .property("caravan.receiver.dedup-min-size", "100KiB");

    @Test
    void theFinishStepSendsTheParcelAgainWhenAReferenceIsRefused(ReceiverFixture receiver) throws Exception {
        Path source = Files.createDirectories(tmp.resolve("src/photos"));
        TestTrees.random(source.resolve("a.raw"), 300_000, 1);
        TestTrees.random(source.resolve("b.raw"), 200_000, 2);
        InPlaceChange.settle(source.resolve("a.raw"), source.resolve("b.raw"));
        try (CamelContext camel = new DefaultCamelContext()) {
            SenderSettings settings = new SenderSettings("http://127.0.0.1:" + receiver.port(), null,
                    new PackOptions(Codecs.byName("zstd"), 3, 64 * 1024, "photos"), 2, 100 * 1024, tmp.resolve("state"),
                    new Retry(2, Duration.ofMillis(100), Duration.ofMillis(200)));
            ParcelSender sender = new ParcelSender(settings);
            sender.send(source, "first", ProgressListener.NONE);
            ParcelUpload planned = sender.open(source, "second"); // checked: both files will travel as references
            assertThat(planned.dedup().references()).hasSize(2);
            InPlaceChange.flipFirstByteKeepingSizeAndMtime(receiver.inbox().resolve("first/a.raw"));

            Shipper shipper = new Shipper(sender);
            ParcelSplitter splitter = new ParcelSplitter();
            splitter.setChunkSize("64KiB");
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:ship").routeId("test-ship")
                            .bean(shipper, "open")
                            .split().method(splitter, "split").streaming().stopOnException()
                                .bean(shipper, "put")
                            .end()
                            .bean(shipper, "finish");
                }
            });
            camel.start();
            camel.createProducerTemplate().sendBodyAndHeader("direct:ship", source.toFile(), "CaravanParcel", "second");

            assertThat(TreeSnapshot.of(source).differences(TreeSnapshot.of(receiver.inbox().resolve("second")))).isEmpty();
        }
    }
}
