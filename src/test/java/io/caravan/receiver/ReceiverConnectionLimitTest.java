package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connections are bounded ({@code caravan.receiver.max-connections}, here 4) and a request head has its own
 * short deadline ({@code caravan.receiver.head-timeout}, here 2 s, under a 60 s stall timeout): a head not
 * whole in time gets 408 naming the setting, a connection that sends nothing is closed; a connection past
 * the bound closes the one waiting longest without a whole request and is served; when every connection
 * has a request being worked on, a new one gets 503 busy with the JSON body and is closed.
 */
class ReceiverConnectionLimitTest {

    @TempDir
    static Path tmp;
    static ReceiverFixture receiver;

    @BeforeAll
    static void start() throws Exception {
        receiver = new ReceiverFixture(tmp.resolve("inbox"), Map.of("caravan.receiver.stall-timeout", "60s",
                "caravan.receiver.head-timeout", "2s", "caravan.receiver.max-connections", "4",
                "caravan.shares.site", Files.createDirectories(tmp.resolve("shared")).toString()));
    }

    @AfterAll
    static void stop() throws Exception {
        receiver.close();
    }

    @Test
    void aHeadNotWholeWithinTheHeadTimeoutGets408() throws Exception {
        ListenerBoundChecks.headTimesOut(receiver.port(), "/health", "caravan.receiver.head-timeout");
    }

    @Test
    void aConnectionThatSendsNothingIsClosedAfterTheHeadTimeout() throws Exception {
        try (Socket socket = socket()) {
            long t0 = System.nanoTime();
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(8));
        }
    }

    /**
     * On a receiver of its own, whose head timeout (30 s) a loaded machine cannot outrun, and which no other
     * test's connections (a share poll's, a client's kept alive) crowd: it listens on a loopback address of its
     * own, where no client of another test (in this JVM or the other test JVM) can reach it by a port it used before.
     */
    @Test
    void aConnectionPastTheBoundClosesTheOneWaitingLongestAndIsServed() throws Exception {
        String host = "127." + ThreadLocalRandom.current().nextInt(1, 255) + "." + ThreadLocalRandom.current().nextInt(256)
                + "." + ThreadLocalRandom.current().nextInt(1, 255);
        try (ReceiverFixture own = new ReceiverFixture(tmp.resolve("own-inbox"), Map.of("caravan.receiver.head-timeout",
                "30s", "caravan.receiver.max-connections", "4", "caravan.receiver.host", host))) {
            ListenerBoundChecks.pastTheBoundTheOldestWaitingIsClosed(host, own.port(), "/health", 4, Duration.ofSeconds(30),
                    own.context().getRegistry().lookupByNameAndType("receiverConnections", ConnectionLimit.class));
        }
    }

    @Test
    void whenEveryConnectionHasARequestBeingWorkedOnANewOneGets503Busy() throws Exception {
        long sequence = ReceiverCalls.ok(receiver.get("/shares/site/listing"), 200).get("sequence").asLong();
        List<Socket> polls = new ArrayList<>();
        try {
            Thread.sleep(500); // the listing's connection is let go
            for (int i = 0; i < 4; i++) {
                Socket socket = socket();
                write(socket, "GET /shares/site/events?since=" + sequence + "&timeout=5 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
                polls.add(socket);
            }
            // every poll counted with its request being worked on (a loaded machine accepts some time after connect)
            ConnectionLimit limit = receiver.context().getRegistry().lookupByNameAndType("receiverConnections", ConnectionLimit.class);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> limit.live() == 4 && limit.waiting() == 0);
            try (Socket late = socket()) {
                write(late, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
                RawAnswer answer = RawAnswer.read(late.getInputStream());
                assertThat(answer.statusLine()).startsWith("HTTP/1.1 503");
                JsonNode body = ReceiverCalls.JSON.readTree(answer.body());
                assertThat(body.get("error").asText()).isEqualTo("busy");
                assertThat(body.get("message").asText()).contains("caravan.receiver.max-connections=4");
                assertThat(late.getInputStream().read()).isEqualTo(-1);
            }
            for (Socket poll : polls) {
                assertThat(RawAnswer.read(poll.getInputStream()).statusLine()).startsWith("HTTP/1.1 200");
            }
        } finally {
            for (Socket socket : polls) {
                socket.close();
            }
        }
        Thread.sleep(500);
        assertThat(receiver.get("/health").statusCode()).isEqualTo(200);
    }

    private static Socket socket() throws IOException {
        return RawSockets.open(receiver.port());
    }

    private static void write(Socket socket, String text) throws IOException {
        RawSockets.write(socket, text);
    }
}
