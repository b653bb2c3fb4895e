package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caravan.LoggedWarnings;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Clients that hang up in the middle of a request's body (closing or resetting the connection) cost the
 * receiver's log nothing but a DEBUG line each, with or without the token, however many of them there are:
 * no warning, no stack trace. Each is counted ({@code caravan_rejections_total{reason="connection_lost"}}),
 * and the receiver goes on answering. So do clients that send requests one after another and reset the
 * connection without reading their answers: the answers the receiver can no longer write cost no warning.
 */
class ReceiverClientsHangingUpTest {

    private static final int TIMES = 40;
    private static final int RESETS = 200;
    private static final int PIPELINED = 20;

    @TempDir
    static Path tmp;
    @RegisterExtension
    static final RunningReceiver RUNNING = RunningReceiver.at(() -> tmp.resolve("inbox")).token("secret");
    @ParameterizedTest
    @ValueSource(strings = {
            "POST /console/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\ntok",
            "POST /console/login HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n10\r\ntoken=",
            "POST /start HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer secret\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100\r\n\r\n{\"na",
            "PUT /chunks/nope/0 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer secret\r\nContent-Length: 1000\r\n\r\nabc"})
    void aBodyCutShortCostsTheLogNoWarningAndNoTrace(String started, ReceiverFixture receiver) throws Exception {
        double before = lost(receiver);
        try (LoggedWarnings log = new LoggedWarnings(Level.INFO)) {
            for (int i = 0; i < TIMES; i++) {
                try (Socket socket = RawSockets.open(receiver.port())) {
                    if (i % 2 == 1) {
                        socket.setSoLinger(true, 0); // every other one resets the connection instead of closing it
                    }
                    RawSockets.write(socket, started);
                    Thread.sleep(5); // the head reaches the receiver before the connection goes
                }
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> lost(receiver) >= before + TIMES);
            Thread.sleep(300); // anything logged late would be logged by now
            assertThat(log.errorsAndTraces()).isEmpty();
            assertThat(log.containing("")).hasSizeLessThanOrEqualTo(2);
        }
        assertThat(receiver.get("/health").statusCode()).isEqualTo(200);
    }

    @Test
    void aResetBeforeItsAnswersAreReadCostsTheLogNoWarningAndNoTrace(ReceiverFixture receiver) throws Exception {
        String pipelined = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".repeat(PIPELINED);
        try (LoggedWarnings log = new LoggedWarnings(Level.INFO)) {
            for (int i = 0; i < RESETS; i++) {
                try (Socket socket = RawSockets.open(receiver.port(), 1024)) {
                    socket.setSoLinger(true, 0); // the close resets the connection, its answers unread
                    RawSockets.write(socket, pipelined);
                    Thread.sleep(2); // the receiver has begun writing answers
                }
            }
            Thread.sleep(1000); // the answers still being written fail by now, and anything logged late is logged
            assertThat(log.errorsAndTraces()).isEmpty();
            assertThat(log.containing("")).hasSizeLessThanOrEqualTo(2);
        }
        assertThat(receiver.get("/health").statusCode()).isEqualTo(200);
    }

    private static double lost(ReceiverFixture receiver) throws Exception {
        HttpResponse<String> metrics = receiver.send("GET", "/metrics", null, "Authorization", "Bearer secret");
        return metrics.body().lines().filter(l -> l.startsWith("caravan_rejections_total{")
                        && l.contains("reason=\"connection_lost\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
