package io.caravan.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CaravanHeaders;
import io.caravan.TestTrees;
import io.caravan.receiver.ReceiverFixture;
import io.caravan.receiver.RunningReceiver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.apache.camel.builder.AdviceWithRouteBuilder;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.test.main.junit5.AdviceRouteMapping;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.camel.test.main.junit5.Configure;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * routes/outbox.camel.yaml and ship-http.camel.yaml as {@code caravan run --role sender} builds them,
 * with a step in ship-http that throws an {@link Error} for one parcel (as running out of heap does):
 * the outbox goes on polling, so a file dropped after it reaches the real receiver and is moved to
 * {@code .sent/}. (What becomes of the parcel the error struck depends on where it struck: Camel has
 * no handler for an {@code Error}.)
 */
@CamelMainTest(propertyPlaceholderLocations = "classpath:application.properties",
        advices = @AdviceRouteMapping(route = "ship-http", advice = OutboxSurvivesAnErrorTest.ErrorForOneParcel.class))
class OutboxSurvivesAnErrorTest {

    @TempDir
    static Path receiving;
    @RegisterExtension
    static final RunningReceiver RECEIVER = RunningReceiver.at(() -> receiving.resolve("inbox"));

    @TempDir
    Path tmp;
    static volatile boolean thrown;

    /** Throws an {@link OutOfMemoryError} in ship-http for the parcel named {@code poison.txt}. */
    public static final class ErrorForOneParcel extends AdviceWithRouteBuilder {
        @Override
        public void configure() {
            weaveAddFirst().process(exchange -> {
                if ("poison.txt".equals(exchange.getMessage().getHeader(CaravanHeaders.PARCEL, String.class))) {
                    thrown = true;
                    throw new OutOfMemoryError("Java heap space (thrown by the test)");
                }
            });
        }
    }

    @Configure
    void configure(MainConfigurationProperties configuration) {
        YamlRoutes.configure(configuration, YamlRoutes.httpSender(tmp, RECEIVER.fixture().port()), "outbox", "ship-http");
    }

    @Test
    void aParcelThatThrowsAnErrorDoesNotStopTheOutbox(ReceiverFixture receiver) throws Exception {
        Path outbox = Files.createDirectories(tmp.resolve("outbox"));
        Path staging = Files.createDirectories(tmp.resolve("staging"));
        TestTrees.write(staging.resolve("poison.txt"), "fails\n");
        TestTrees.write(staging.resolve("later.txt"), "sent after it\n");

        Files.move(staging.resolve("poison.txt"), outbox.resolve("poison.txt"), StandardCopyOption.ATOMIC_MOVE);
        Awaitility.await("the poison parcel picked up").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> thrown);
        Thread.sleep(1500); // past the next poll
        Files.move(staging.resolve("later.txt"), outbox.resolve("later.txt"), StandardCopyOption.ATOMIC_MOVE);

        Awaitility.await("the later file sent").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> Files.exists(outbox.resolve(".sent/later.txt")));
        assertThat(receiver.inbox().resolve("later.txt")).hasContent("sent after it");
    }
}
