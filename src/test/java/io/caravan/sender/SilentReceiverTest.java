package io.caravan.sender;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.caravan.LoggedWarnings;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.logging.log4j.Level;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A receiver's address that takes the request and never answers: the sender says so after its stall
 * note (30 s by default, naming the address and the attempt) instead of waiting silently for its
 * 5-minute read timeout, and a small request (a start) gives up its attempt after its small-request
 * timeout (a minute by default), not after five. A finish, which verifies and publishes and so takes
 * long for a large parcel, is named at INFO, not in a warning. The client here notes after 2 s and
 * gives a small request 5 s, so that the waits are seen in seconds.
 */
class SilentReceiverTest {

    private static final Duration NOTE = Duration.ofSeconds(2);
    private static final Duration SMALL_REQUEST = Duration.ofSeconds(5);

    private final CountDownLatch release = new CountDownLatch(1);
    private HttpServer server;
    private String url;
    private ReceiverClient client;
    private final StopSignal stop = new StopSignal();

    @BeforeEach
    void start() throws Exception {
        server = silent(release);
        url = "http://127.0.0.1:" + server.getAddress().getPort();
        client = new ReceiverClient(url, null, Duration.ofMinutes(5)).answerWaits(NOTE, SMALL_REQUEST);
        client.abortOn(stop);
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.stop(0);
    }

    @Test
    void byDefaultAWaitIsNamedAfterThirtySecondsAndASmallRequestGivenUpAfterAMinute() {
        assertThat(ReceiverClient.STALL_NOTE).isEqualTo(Duration.ofSeconds(30));
        assertThat(ReceiverClient.SMALL_REQUEST_TIMEOUT).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void aFinishStillWorkingIsNamedAtInfoNotInAWarning() throws Exception {
        try (LoggedWarnings logged = new LoggedWarnings(Level.INFO)) {
            CompletableFuture<Object> finish = CompletableFuture.supplyAsync(() -> client.finish("s1", "{}"));

            Awaitility.await("the wait named").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> !logged.containing("no answer from " + url + "/finish/s1 for ").isEmpty());
            assertThat(secondsNamed(logged.containing("no answer from " + url + "/finish/s1 for "), ", still waiting"))
                    .isGreaterThanOrEqualTo(NOTE.toSeconds());
            assertThat(logged.levelsOf("no answer from")).isNotEmpty().containsOnly(Level.INFO);
            assertThat(finish).isNotDone();
            stop.raise();
            finish.handle((value, failure) -> null).get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aStartThatIsNeverAnsweredIsNamedAfterTheNoteAndRetriedAfterTheSmallRequestTimeout() throws Exception {
        try (LoggedWarnings warnings = new LoggedWarnings()) {
            long started = System.nanoTime();
            CompletableFuture<Object> start = CompletableFuture.supplyAsync(
                    () -> Retry.DEFAULT.stoppedBy(stop).call("start of report", () -> client.start(Map.of("name", "report"))));

            String named = "no answer from " + url + "/start for ";
            Awaitility.await("the stall named").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> !warnings.containing(named).isEmpty());
            assertThat(secondsNamed(warnings.containing(named), ", still waiting (attempt 1/8)")).isGreaterThanOrEqualTo(NOTE.toSeconds());
            assertThat(warnings.containing("start of report failed")).as("named before the attempt is given up").isEmpty();
            Awaitility.await("the first attempt given up").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> !warnings.containing("start of report failed (attempt 1/8)").isEmpty());
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(SMALL_REQUEST);
            assertThat(warnings.containing("start of report failed (attempt 1/8)").get(0))
                    .contains("no answer within " + SMALL_REQUEST.toSeconds() + " s");
            stop.raise();
            start.handle((value, failure) -> null).get(30, TimeUnit.SECONDS);
        }
    }

    /** The seconds named by the first of {@code lines} ("... for N s" followed by {@code rest}). */
    private static long secondsNamed(List<String> lines, String rest) {
        Matcher matcher = Pattern.compile(" for (\\d+) s" + Pattern.quote(rest) + "$").matcher(lines.get(0));
        assertThat(matcher.find()).as("'%s' names its seconds and ends with '%s'", lines.get(0), rest).isTrue();
        return Long.parseLong(matcher.group(1));
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
