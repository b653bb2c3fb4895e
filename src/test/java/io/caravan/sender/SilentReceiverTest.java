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
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A receiver's address that takes the request and never answers: the sender says so after 30 s
 * (naming the address and the attempt) instead of waiting silently for its 5-minute read timeout, and
 * a small request (a start) gives up its attempt after a minute, not after five.
 */
class SilentReceiverTest {

    @Test
    void aStartThatIsNeverAnsweredIsNamedAfterThirtySecondsAndRetriedAfterAMinute() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
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
        String url = "http://127.0.0.1:" + server.getAddress().getPort();
        ReceiverClient client = new ReceiverClient(url, null, Duration.ofMinutes(5));
        StopSignal stop = new StopSignal();
        client.abortOn(stop);
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
        } finally {
            release.countDown();
            server.stop(0);
        }
    }
}
