package io.caravan.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.TestTrees;
import io.caravan.receiver.Receiver;
import io.caravan.receiver.ReceiverFixture;
import io.caravan.receiver.RunningReceiver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.camel.test.main.junit5.Configure;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outbox ships one parcel at a time: camel-file handed a parcel to the shipping route and, the route going on
 * on the shipping pool, took the next one while the first was still uploading, so parcels dropped together were
 * all packed and shipped at once, each with its chunks in flight. Over a slow link, three files of 150 MB ran a
 * {@code caravan run} out of heap, and a restart, resuming all three at once, ran out again.
 */
@CamelMainTest(propertyPlaceholderLocations = "classpath:application.properties")
class OutboxShipsOneParcelAtATimeTest {

    @TempDir
    static Path receiving;
    @RegisterExtension
    static final RunningReceiver RECEIVER = RunningReceiver.at(() -> receiving.resolve("inbox"));

    @TempDir
    Path tmp;

    @Configure
    void configure(MainConfigurationProperties configuration) {
        YamlRoutes.configure(configuration, YamlRoutes.httpSender(tmp, RECEIVER.fixture().port(),
                "caravan.sender.bwlimit", "2MiB", "caravan.sender.codec", "none"), "outbox", "ship-http");
    }

    @Test
    void parcelsDroppedTogetherAreShippedOneAfterTheOther(ReceiverFixture receiver) throws Exception {
        Receiver receiving = receiver.context().getRegistry().lookupByNameAndType("receiver", Receiver.class);
        Path staging = Files.createDirectories(tmp.resolve("staging"));
        Path outbox = Files.createDirectories(tmp.resolve("outbox"));
        for (int i = 1; i <= 3; i++) {
            TestTrees.random(staging.resolve("f" + i + ".bin"), 1_500_000, i); // about 0.7 s each at 2 MiB/s
        }
        for (int i = 1; i <= 3; i++) {
            Files.move(staging.resolve("f" + i + ".bin"), outbox.resolve("f" + i + ".bin"), StandardCopyOption.ATOMIC_MOVE);
        }

        AtomicInteger most = new AtomicInteger();
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10)).until(() -> {
            most.accumulateAndGet(receiving.store().sessions().size(), Math::max);
            return Files.exists(outbox.resolve(".sent/f1.bin")) && Files.exists(outbox.resolve(".sent/f2.bin"))
                    && Files.exists(outbox.resolve(".sent/f3.bin"));
        });

        assertThat(most.get()).as("upload sessions open at once on the receiver").isEqualTo(1);
        for (int i = 1; i <= 3; i++) {
            assertThat(receiver.inbox().resolve("f" + i + ".bin")).hasSameBinaryContentAs(outbox.resolve(".sent/f" + i + ".bin"));
        }
    }
}
