package io.caravan.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.LoggedWarnings;
import io.caravan.TestTrees;
import io.caravan.app.CaravanMain;
import io.caravan.app.RoleSettings;
import io.caravan.receiver.ConnectionLimit;
import io.caravan.receiver.ListenerBoundChecks;
import io.caravan.receiver.ReceiverFixture;
import io.caravan.receiver.RunningReceiver;
import io.caravan.receiver.WrongTokenLimit;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.apache.camel.main.Main;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code caravan run --role sender} runs no receiver, so it serves the console itself, on
 * {@code caravan.console.port} (127.0.0.1 by default): behind the token (the sender's own, or
 * {@code caravan.console.token}) with the login page and its cookie, showing the outbox's sends in
 * progress, what it sent and what failed with the reason, and the bytes it sent since it started.
 */
class SenderConsoleTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path receiving;
    @RegisterExtension
    static final RunningReceiver RECEIVER = RunningReceiver.at(() -> receiving.resolve("inbox")).token("secret");

    @TempDir
    Path tmp;
    private final HttpClient client = HttpClient.newHttpClient();
    private Main main;
    private int port;

    @AfterEach
    void stop() {
        if (main != null) {
            main.stop();
        }
    }

    private Map<String, String> sender(Map<String, String> more) throws Exception {
        port = ReceiverFixture.freePort();
        Map<String, String> properties = new HashMap<>(Map.of(
                "caravan.role", "sender",
                "caravan.sender.url", "http://127.0.0.1:" + RECEIVER.fixture().port(),
                "caravan.sender.token", "secret",
                "caravan.sender.outbox", tmp.resolve("outbox").toString(),
                "caravan.sender.state-dir", tmp.resolve("state").toString(),
                "caravan.sender.file-settle-time", "300",
                "caravan.sender.chunk-size", "64KiB",
                "caravan.console.port", String.valueOf(port)));
        properties.putAll(more);
        return properties;
    }

    /** Starts the routes {@code caravan run} decides for these properties, as it does. */
    private void run(Map<String, String> properties) throws Exception {
        List<String> routes = RoleSettings.read((key, fallback) -> properties.getOrDefault(key, fallback)).routes();
        main = CaravanMain.create(routes, properties);
        main.start();
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode overview() throws Exception {
        HttpResponse<String> answer = get("/console/api/overview", "Authorization", "Bearer secret");
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return JSON.readTree(answer.body());
    }

    @Test
    void aSenderOnlyRunServesTheLoginPageAndNothingElseWithoutTheToken() throws Exception {
        run(sender(Map.of()));

        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(page.body()).contains("id=\"login-form\"").doesNotContain("id=\"console\"");
        assertThat(get("/console/api/overview").statusCode()).isEqualTo(401);
        assertThat(get("/console/console.js").statusCode()).isEqualTo(401);
        assertThat(get("/console/api/overview", "Authorization", "Bearer wrong").statusCode()).isEqualTo(401);
        assertThat(get("/", "Authorization", "Bearer secret").body()).contains("id=\"console\"");
    }

    @Test
    void wrongLoginsFromOneAddressCostTheLogOneLineAnInterval() throws Exception {
        run(sender(Map.of()));

        try (LoggedWarnings log = new LoggedWarnings(Level.INFO)) {
            for (int i = 0; i < WrongTokenLimit.BURST / 2; i++) { // two failures a turn, within the burst (none slowed)
                HttpResponse<String> wrong = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                                + "/console/login")).header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("token=nope" + i)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(wrong.statusCode()).isEqualTo(401);
                assertThat(get("/console/console.js").statusCode()).isEqualTo(401);
            }
            assertThat(log.containing("wrong token")).hasSize(1);
            assertThat(log.containing("rejected")).isEmpty();
        }
    }

    /**
     * Logins with a wrong token from one address are slowed as the receiver slows wrong bearer tokens: past
     * {@link WrongTokenLimit#BURST}, 429 with the login page saying when to try again, the right token
     * among them included (it is not compared), and the console's API refuses the address as well.
     */
    @Test
    void loginsPastTheBurstOfWrongTokensGet429WhateverTheirToken() throws Exception {
        run(sender(Map.of()));

        for (int i = 0; i < WrongTokenLimit.BURST; i++) {
            assertThat(login("nope" + i).statusCode()).isEqualTo(401);
        }
        HttpResponse<String> slowed = login("secret");
        assertThat(slowed.statusCode()).isEqualTo(429);
        assertThat(slowed.body()).contains("Too many wrong tokens came from this address. Try again in");
        assertThat(slowed.headers().firstValue("Retry-After")).isPresent();
        assertThat(slowed.headers().firstValue("Set-Cookie")).isEmpty();
        assertThat(get("/console/api/overview", "Authorization", "Bearer secret").statusCode()).isEqualTo(429);
    }

    private HttpResponse<String> login(String token) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/console/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + token)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theLoginCookieOpensTheSendersConsole() throws Exception {
        run(sender(Map.of()));

        HttpResponse<String> wrong = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/console/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=nope")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).contains("id=\"login-form\"");
        HttpResponse<String> login = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/console/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=secret")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(login.statusCode()).isEqualTo(303);
        String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";", 2)[0];

        assertThat(get("/", "Cookie", cookie).body()).contains("id=\"console\"");
        assertThat(get("/console/api/overview", "Cookie", cookie).statusCode()).isEqualTo(200);
    }

    @Test
    void theOverviewShowsWhatTheOutboxSentAndWhatFailedWithItsReason() throws Exception {
        Path outbox = Files.createDirectories(tmp.resolve("outbox"));
        Files.createDirectories(outbox.resolve(".sent"));
        Files.createDirectories(outbox.resolve(".failed"));
        TestTrees.write(outbox.resolve(".sent/monday.csv"), "a,b\n");
        TestTrees.write(outbox.resolve(".failed/broken.tar"), "x");
        TestTrees.write(outbox.resolve(".failed/broken.tar.error.txt"), "parcel: broken.tar\nfailed at: 2026-01-02T03:04:05Z\n"
                + "reason: the receiver refused it\n\nFix the cause and move the parcel back into the outbox to send it again.\n");
        run(sender(Map.of()));

        JsonNode overview = overview();

        assertThat(overview.path("role").asText()).isEqualTo("sender");
        assertThat(overview.path("sent_bytes").isNumber()).isTrue();
        assertThat(overview.path("sessions").isArray()).isTrue();
        JsonNode sent = overview.path("transfers").get(0);
        assertThat(sent.path("name").asText()).isEqualTo("monday.csv");
        assertThat(sent.path("bytes").asLong()).isEqualTo(4);
        assertThat(sent.path("result").asText()).isEqualTo("ok");
        JsonNode failed = overview.path("failures").get(0);
        assertThat(failed.path("name").asText()).isEqualTo("broken.tar");
        assertThat(failed.path("result").asText()).isEqualTo("the receiver refused it");
        assertThat(failed.path("time").asText()).isEqualTo("2026-01-02T03:04:05Z");
    }

    @Test
    void aSendInProgressAppearsLiveThenAmongTheSentWithTheBytesCounted() throws Exception {
        run(sender(Map.of("caravan.sender.bwlimit", "256KiB")));
        Path report = Files.createDirectories(tmp.resolve("staging")).resolve("report.bin");
        TestTrees.random(report, 1_500_000, 7);
        Files.move(report, tmp.resolve("outbox/report.bin"), StandardCopyOption.ATOMIC_MOVE);

        JsonNode live = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> overview().path("sessions"), s -> s.size() == 1 && s.get(0).path("bytes").asLong() > 0).get(0);
        assertThat(live.path("name").asText()).isEqualTo("report.bin");
        assertThat(live.path("expected_bytes").asLong()).isEqualTo(1_500_000);

        JsonNode done = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).until(this::overview,
                o -> StreamSupport.stream(o.path("transfers").spliterator(), false)
                        .anyMatch(t -> t.path("name").asText().equals("report.bin")));
        assertThat(done.path("sessions").size()).isZero();
        assertThat(done.path("sent_bytes").asLong()).isGreaterThan(1_000_000);
    }

    @Test
    void theConsoleTokenDefaultsToTheSendersAndMayBeItsOwn() throws Exception {
        run(sender(Map.of("caravan.console.token", "console-only")));

        assertThat(get("/console/api/overview", "Authorization", "Bearer secret").statusCode()).isEqualTo(401);
        assertThat(get("/console/api/overview", "Authorization", "Bearer console-only").statusCode()).isEqualTo(200);
    }

    @Test
    void aConsoleOnAnotherAddressWithoutATokenIsRefusedAtStart() throws Exception {
        Map<String, String> properties = sender(Map.of("caravan.sender.token", "", "caravan.console.host", "0.0.0.0"));
        List<String> routes = RoleSettings.read((key, fallback) -> properties.getOrDefault(key, fallback)).routes();
        main = CaravanMain.create(routes, properties);

        assertThatThrownBy(main::start).hasStackTraceContaining("refusing to start: the console would listen on 0.0.0.0")
                .hasStackTraceContaining("caravan.console.token");
    }

    @Test
    void withoutATokenOnLoopbackTheConsoleOpensAtOnce() throws Exception {
        run(sender(Map.of("caravan.sender.token", "")));

        assertThat(get("/").body()).contains("id=\"console\"");
        assertThat(get("/console/api/overview").statusCode()).isEqualTo(200);
    }

    /**
     * The console's own listener is bounded as the receiver's is, by its own settings: a request head not
     * whole within {@code caravan.console.head-timeout} gets 408 naming it, and a connection past
     * {@code caravan.console.max-connections} closes the one waiting longest without a whole request.
     */
    @Test
    void theConsolesListenerHasItsHeadTimeoutAndConnectionBound() throws Exception {
        run(sender(Map.of("caravan.console.head-timeout", "2s", "caravan.console.max-connections", "4")));

        ListenerBoundChecks.headTimesOut(port, "/", "caravan.console.head-timeout");
        ListenerBoundChecks.pastTheBoundTheOldestWaitingIsClosed(port, "/", 4, Duration.ofSeconds(2),
                main.getCamelContext().getRegistry().lookupByNameAndType("consoleConnections", ConnectionLimit.class));
    }
}
