package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The requests a client may send without the token (the health probe, the console's login page, its
 * files and its login and logout forms) on a receiver with a token: each may carry a body of at most
 * 8 KiB, refused with 413 JSON from its {@code Content-Length} before a byte of it is read, or, sent
 * chunked, as soon as it grows past that; the health probe answers {@code HEAD} and HTTP/1.0 without
 * {@code Host} as a load balancer sends them.
 */
class ReceiverTokenFreeRequestsTest {

    @TempDir
    static Path tmp;
    @RegisterExtension
    static final RunningReceiver RUNNING = RunningReceiver.at(() -> tmp.resolve("inbox")).token("secret");
    static ReceiverFixture receiver;

    @BeforeAll
    static void startReceiver(ReceiverFixture started) {
        receiver = started;
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST /console/login", "POST /console/logout", "GET /health", "HEAD /health", "GET /",
            "GET /console/console.css"})
    void aDeclaredBodyOverTheTokenFreeLimitIs413InsteadOfAContinue(String request) throws Exception {
        try (Socket socket = socket()) {
            write(socket, request + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    + "Expect: 100-continue\r\nContent-Length: 1000000\r\n\r\n");
            boolean head = request.startsWith("HEAD");
            RawAnswer answer = head ? RawAnswer.readHead(socket.getInputStream()) : RawAnswer.read(socket.getInputStream());
            assertThat(answer.statusLine()).startsWith("HTTP/1.1 413");
            if (!head) {
                JsonNode error = ReceiverCalls.JSON.readTree(answer.body());
                assertThat(error.get("error").asText()).isEqualTo("body_too_large");
                assertThat(error.get("message").asText()).contains("without a token").contains("8192 bytes");
            }
        }
    }

    @Test
    void aLoginBodyOverTheLimitIsRefusedBeforeItHasArrived() throws Exception {
        try (Socket socket = socket()) {
            write(socket, "POST /console/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 33554332\r\n\r\ntoken=AAAA");
            assertThat(RawAnswer.read(socket.getInputStream()).statusLine()).startsWith("HTTP/1.1 413");
        }
    }

    @Test
    void aChunkedLoginBodyIsCutWhenItGrowsPastTheLimit() throws Exception {
        try (Socket socket = socket()) {
            write(socket, "POST /console/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n");
            String chunk = "1000\r\n" + "A".repeat(4096) + "\r\n";
            try {
                for (int i = 0; i < 3; i++) {
                    write(socket, chunk); // 12 KiB, and the body does not end
                }
            } catch (SocketException closed) {
                // the receiver may close the connection while the last chunk is on its way
            }
            RawAnswer answer = RawAnswer.read(socket.getInputStream());
            assertThat(answer.statusLine()).startsWith("HTTP/1.1 413");
            assertThat(ReceiverCalls.JSON.readTree(answer.body()).get("error").asText()).isEqualTo("body_too_large");
            assertThat(closed(socket.getInputStream())).as("the connection closes after the answer").isTrue();
        }
    }

    @Test
    void aLoginFormOfUsualSizeStillLogsIn() throws Exception {
        String form = "token=secret&padding=" + "x".repeat(4000);
        try (Socket socket = socket()) {
            write(socket, "POST /console/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    + "Content-Length: " + form.length() + "\r\n\r\n" + form);
            RawAnswer answer = RawAnswer.read(socket.getInputStream());
            assertThat(answer.statusLine()).startsWith("HTTP/1.1 303");
            assertThat(answer.headers().get("set-cookie")).startsWith("caravan_console=");
        }
    }

    @Test
    void headHealthNeedsNoTokenAndAnswersTheStatusWithoutABody() throws Exception {
        try (Socket socket = socket()) {
            write(socket, "HEAD /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
            InputStream in = socket.getInputStream();
            RawAnswer answer = RawAnswer.readHead(in);
            assertThat(answer.statusLine()).startsWith("HTTP/1.1 200");
            assertThat(in.read()).as("no body after the head").isEqualTo(-1);
        }
    }

    @Test
    void anHttp10HealthProbeWithoutHostIsAnswered() throws Exception {
        try (Socket socket = socket()) {
            write(socket, "GET /health HTTP/1.0\r\n\r\n");
            InputStream in = socket.getInputStream();
            RawAnswer answer = RawAnswer.read(in);
            assertThat(answer.statusLine()).matches("HTTP/1\\.[01] 200 .*");
            assertThat(ReceiverCalls.JSON.readTree(answer.body()).get("status").asText()).isEqualTo("UP");
        }
    }

    @Test
    void anHttp11RequestWithoutHostIsStill400() throws Exception {
        try (Socket socket = socket()) {
            write(socket, "GET /health HTTP/1.1\r\n\r\n");
            assertThat(RawAnswer.read(socket.getInputStream()).statusLine()).startsWith("HTTP/1.1 400");
        }
    }

    private static Socket socket() throws IOException {
        Socket socket = new Socket("127.0.0.1", receiver.port());
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static boolean closed(InputStream in) {
        try {
            return in.read() == -1;
        } catch (IOException reset) {
            return true;
        }
    }

    private static void write(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
    }
}
