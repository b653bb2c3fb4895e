package io.caravan.sender;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.caravan.LoggedWarnings;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.Level;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A receiver's address that takes the request and never answers: the sender says so after 30 s
 * (naming the address and the attempt) instead of waiting silently for its 5-minute read timeout, and
 * a small request (a start) gives up its attempt after a minute, not after five. A finish, which
 * verifies and publishes and so takes long for a large parcel, is named at INFO, not in a warning.
 */
class SilentReceiverTest {

    private final CountDownLatch release = new CountDownLatch(1);
    private HttpServer server;
    private String url;
    private ReceiverClient client;
    private final StopSignal stop = new StopSignal();

    @BeforeEach
    void start() throws Exception {
        server = silent(release);
        url = "http://127.0.0.1:" + server.getAddress().getPort();
        client = new ReceiverClient(url, null, Duration.ofMinutes(5));
        client.abortOn(stop);
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.stop(0);
    }

    @Test
    void aFinishStillWorkingIsNamedAtInfoNotInAWarning() throws Exception {
        try (LoggedWarnings logged = new LoggedWarnings(Level.INFO)) {
            CompletableFuture<Object> finish = CompletableFuture.supplyAsync(() -> client.finish("s1", "{}"));

            Awaitility.await("the wait named").atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200))
                    .until(() -> !logged.containing("no answer from " + url + "/finish/s1 for 30 s, still waiting").isEmpty());
            assertThat(logged.levelsOf("no answer from")).isNotEmpty().containsOnly(Level.INFO);
            stop.raise();
            finish.handle((value, failure) -> null).get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aStartThatIsNeverAnsweredIsNamedAfterThirtySecondsAndRetriedAfterAMinute() throws Exception {
        try (LoggedWarnings warnings = new LoggedWarnings()) {
            CompletableFuture<Object> start = CompletableFuture.supplyAsync(
                    () -> Retry.DEFAULT.stoppedBy(stop).call("start of report", () -> client.start(Map.of("name", "report"))));

            Awaitility.await("the stall named").atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200))
                    .until(() -> !warnings.containing("no answer from " + url + "/start for 30 s, still waiting (attempt 1/8)")
                            .isEmpty());
            Awaitility.await("the first attempt given up").atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200))
                    .until(() -> !warnings.containing("start of report failed (attempt 1/8)").isEmpty());
            stop.raise();
            start.handle((value, failure) -> null).get(30, TimeUnit.SECONDS);
        }
    }

    /** A receiver that takes every request and answers none until {@code release}. */
    private static HttpServer silent(CountDownLatch release) throws java.io.IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            try {
                release.await(5, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        server.start();
        return server;
    }
}
