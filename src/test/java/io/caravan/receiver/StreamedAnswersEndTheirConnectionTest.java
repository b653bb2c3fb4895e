package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Answers sent while they are read or written (files, listings, mirrors) honour the request's connection as
 * the JSON answers do (RFC 9112): {@code Connection: close} and an HTTP/1.0 request close the connection
 * after the answer, an HTTP/1.0 request never gets {@code Transfer-Encoding} (its body ends with the
 * connection), and a keep-alive HTTP/1.1 connection still carries the next request.
 */
class StreamedAnswersEndTheirConnectionTest {

    static ReceiverFixture receiver;
    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        receiver = new ReceiverFixture(tmp.resolve("inbox"),
                Map.of("caravan.shares.s1", Files.createDirectories(tmp.resolve("shared")).toString()));
        Files.write(tmp.resolve("shared/r.bin"), new byte[1000]); // files are served from the folder as it is
    }

    @AfterAll
    static void stop() throws Exception {
        receiver.close();
    }

    @ParameterizedTest
    @CsvSource({"/shares/s1/files?path=r.bin,HTTP/1.1", "/shares/s1/listing,HTTP/1.1", "/mirror?name=m,HTTP/1.1",
        "/shares/s1/files?path=r.bin,HTTP/1.0", "/shares/s1/listing,HTTP/1.0", "/mirror?name=m,HTTP/1.0"})
    void aRequestThatIsNotKeepAliveHasItsConnectionClosedAfterTheAnswer(String target, String version) throws Exception {
        try (Socket socket = RawSockets.open(receiver.port())) {
            boolean http10 = version.equals("HTTP/1.0");
            RawSockets.write(socket, "GET " + target + " " + version + "\r\n"
                    + (http10 ? "" : "Host: 127.0.0.1\r\nConnection: close\r\n") + "\r\n");
            RawAnswer head = RawAnswer.readHead(socket.getInputStream());
            assertThat(head.statusLine()).matches("HTTP/1\\.[01] 200.*");
            assertThat(head.headers().get("connection")).isEqualToIgnoringCase("close");
            if (http10) {
                assertThat(head.headers()).doesNotContainKey("transfer-encoding");
            }
            byte[] rest = readToTheEnd(socket); // within 5 s: the receiver closed
            if (http10) {
                String body = new String(rest, StandardCharsets.UTF_8);
                if (target.contains("files")) {
                    assertThat(body).hasSize(1000);
                } else {
                    assertThat(ReceiverCalls.JSON.readTree(body).isObject()).as(body).isTrue();
                }
            }
        }
    }

    @Test
    void aKeepAliveConnectionCarriesTheNextRequest() throws Exception {
        try (Socket socket = RawSockets.open(receiver.port())) {
            for (int i = 0; i < 2; i++) {
                RawSockets.write(socket, "GET /shares/s1/files?path=r.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
                RawAnswer answer = RawAnswer.read(socket.getInputStream());
                assertThat(answer.statusLine()).startsWith("HTTP/1.1 200");
                assertThat(answer.body()).hasSize(1000);
            }
        }
    }

    /** Reads until the receiver closes the connection; a connection still open 5 s on fails the test. */
    private static byte[] readToTheEnd(Socket socket) throws Exception {
        socket.setSoTimeout(5_000);
        return socket.getInputStream().readAllBytes();
    }
}
