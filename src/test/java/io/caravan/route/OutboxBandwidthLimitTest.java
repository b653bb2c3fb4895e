package io.caravan.route;

import static org.assertj.core.api.Assertions.assertThat;
import io.caravan.TestTrees;
import io.caravan.receiver.ReceiverFixture;
import io.caravan.receiver.RunningReceiver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.camel.test.main.junit5.Configure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code caravan.sender.bwlimit}: the outbox of {@code caravan run --role sender} ships through the
 * limit, so a parcel takes as long as its bytes need at that rate.
 */
@CamelMainTest(propertyPlaceholderLocations = "classpath:application.properties")
class OutboxBandwidthLimitTest {

    @TempDir
    static Path receiving;
    @RegisterExtension
    static final RunningReceiver RECEIVER = RunningReceiver.at(() -> receiving.resolve("inbox"));

    @TempDir
    Path tmp;
    @BeanInject
    CamelContext context;

    @Configure
    void configure(MainConfigurationProperties configuration) {
        YamlRoutes.configure(configuration, YamlRoutes.httpSender(tmp, RECEIVER.fixture().port(), "caravan.sender.bwlimit", "256KiB"),
                "outbox", "ship-http");
    }

    @Test
    void aDroppedFileShipsNoFasterThanTheLimit(ReceiverFixture receiver) throws Exception {
        NotifyBuilder shipped = new NotifyBuilder(context).fromRoute("outbox-pickup").wereSentTo("direct:ship-http")
                .whenCompleted(1).create();
        Path report = Files.createDirectories(tmp.resolve("staging")).resolve("limited.bin");
        TestTrees.random(report, 768 * 1024, 5); // 3 s at 256 KiB/s
        byte[] content = Files.readAllBytes(report);

        Path outbox = Files.createDirectories(tmp.resolve("outbox"));
        long dropped = System.nanoTime();
        Files.move(report, outbox.resolve("limited.bin"), StandardCopyOption.ATOMIC_MOVE);

        assertThat(shipped.matches(60, TimeUnit.SECONDS)).as("outbox-pickup completed through direct:ship-http").isTrue();
        double seconds = (System.nanoTime() - dropped) / 1e9;
        assertThat(receiver.inbox().resolve("limited.bin")).hasBinaryContent(content);
        assertThat(seconds).as("seconds from the drop to the publish").isGreaterThan(2.6);
    }
}
