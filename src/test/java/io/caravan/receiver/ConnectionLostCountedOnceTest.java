package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code caravan_rejections_total{reason="connection_lost"}} counts each lost connection once, read from the
 * metrics endpoint of a real receiver: a client that resets a connection with a share poll waiting fails it on
 * its read side, and the poll's answer, written as the poll is let go, fails too; that is one connection lost.
 * A client that closes it the same way (its read side ends without a failure) is one connection lost too.
 */
class ConnectionLostCountedOnceTest {

    private static final int POLLS = 20;

    @TempDir
    static Path tmp;
    static ReceiverFixture receiver;

    @BeforeAll
    static void start() throws Exception {
        receiver = new ReceiverFixture(tmp.resolve("inbox"), Map.of("caravan.receiver.token", "secret",
                "caravan.shares.s1", Files.createDirectories(tmp.resolve("shared")).toString()));
    }

    @AfterAll
    static void stop() throws Exception {
        receiver.close();
    }

    @Test
    void aResetConnectionWithAPollWaitingIsOneConnectionLost() throws Exception {
        assertThat(lostWhenPollsHangUp(true)).isEqualTo(POLLS);
    }

    @Test
    void aClosedConnectionWithAPollWaitingIsOneConnectionLost() throws Exception {
        assertThat(lostWhenPollsHangUp(false)).isEqualTo(POLLS);
    }

    /** Opens {@link #POLLS} polls, hangs them up (reset or closed) once they wait; the connections counted lost. */
    private static double lostWhenPollsHangUp(boolean reset) throws Exception {
        long sequence = ReceiverCalls.ok(receiver.send("GET", "/shares/s1/listing", null, "Authorization", "Bearer secret"), 200)
                .get("sequence").asLong();
        double before = lost();
        List<Socket> polls = new ArrayList<>();
        for (int i = 0; i < POLLS; i++) {
            Socket socket = RawSockets.open(receiver.port());
            RawSockets.write(socket, "GET /shares/s1/events?since=" + sequence + "&timeout=30 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: Bearer secret\r\nX-Caravan-Follower: f" + i + "\r\n\r\n");
            polls.add(socket);
        }
        waitFor(() -> waiting() == POLLS);
        for (Socket socket : polls) {
            if (reset) {
                socket.setSoLinger(true, 0); // the close resets the connection
            }
            socket.close();
        }
        waitFor(() -> waiting() == 0);
        Thread.sleep(1_000); // the answers of the polls let go have failed by now
        return lost() - before;
    }

    private static int waiting() throws Exception {
        return ReceiverCalls.ok(receiver.send("GET", "/shares", null, "Authorization", "Bearer secret"), 200)
                .get("shares").get(0).get("waiting").asInt();
    }

    private static double lost() throws Exception {
        HttpResponse<String> metrics = receiver.send("GET", "/metrics", null, "Authorization", "Bearer secret");
        return metrics.body().lines().filter(l -> l.startsWith("caravan_rejections_total{")
                        && l.contains("reason=\"connection_lost\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void waitFor(Condition condition) throws Exception {
        long end = System.nanoTime() + 5_000_000_000L;
        while (!condition.holds()) {
            assertThat(System.nanoTime()).as("waited 5 s").isLessThan(end);
            Thread.sleep(50);
        }
    }
}
