package io.caravan.sender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.caravan.CliRunner;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A peer that answers {@code POST /start} with 201 and a body that is not JSON, however long (64 MiB,
 * or one that never ends), ends {@code caravan send} at once, non-zero, with a short message quoting
 * the beginning of the answer with its control characters escaped: the sender reads no more of an
 * answer than a receiver's answer to that request can be, and does not retry an answer of another kind.
 */
class HostileReceiverAnswersTest {

    @TempDir
    Path tmp;
    HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    /** A peer answering {@code /start} with 201 and {@code length} bytes of {@code unit} repeated ({@code -1}: forever). */
    private String hostile(byte[] unit, long length) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            if (exchange.getRequestURI().getPath().equals("/check")) {
                answer(exchange, 200, "{\"found\":[]}".getBytes(StandardCharsets.UTF_8));
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(201, length < 0 ? 0 : length);
            byte[] block = new byte[64 * 1024];
            for (int i = 0; i < block.length; i++) {
                block[i] = unit[i % unit.length];
            }
            try (OutputStream out = exchange.getResponseBody()) {
                for (long written = 0; length < 0 || written < length; written += block.length) {
                    out.write(block, 0, (int) (length < 0 ? block.length : Math.min(block.length, length - written)));
                }
            } catch (IOException closedByTheSender) {
                // the sender stopped reading
            }
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static void answer(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private CliRunner.Result send(String url) throws IOException {
        Path file = tmp.resolve("report.txt");
        Files.writeString(file, "a report\n");
        return assertTimeoutPreemptively(Duration.ofSeconds(20), () -> CliRunner.run("send", file.toString(), "--to", url,
                "--state-dir", tmp.resolve("state").toString()));
    }

    @Test
    void anEndlessAnswerToTheStartEndsTheSendAtOnceWithAShortMessage() throws Exception {
        CliRunner.Result sent = send(hostile("a".getBytes(StandardCharsets.US_ASCII), -1));

        assertThat(sent.exitCode()).as(sent.err()).isNotZero();
        assertThat(sent.err()).contains("POST").contains("/start").contains("aaaaaaaa").doesNotContain("OutOfMemoryError");
        assertThat(sent.err().length()).as(sent.err()).isLessThan(2000);
    }

    @Test
    void aLargeAnswerThatIsNotJsonEndsTheSendAtOnceQuotingItsBeginningPrintably() throws Exception {
        byte[] unit = "not json\u0007\u001b[2J\n".getBytes(StandardCharsets.US_ASCII);

        CliRunner.Result sent = send(hostile(unit, 64L << 20));

        assertThat(sent.exitCode()).as(sent.err()).isNotZero();
        assertThat(sent.err()).contains("not JSON").contains("not json\\u0007\\u001b[2J\\u000a")
                .doesNotContain("\u001b").doesNotContain("OutOfMemoryError");
        assertThat(sent.err().length()).as(sent.err()).isLessThan(2000);
    }

    @Test
    void aShortAnswerThatIsNotJsonIsQuotedWhole() throws Exception {
        byte[] page = "<html>proxy says hello</html>".getBytes(StandardCharsets.US_ASCII);

        CliRunner.Result sent = send(hostile(page, page.length));

        assertThat(sent.exitCode()).as(sent.err()).isNotZero();
        assertThat(sent.err()).contains("not JSON").contains("<html>proxy says hello</html>");
        assertThat(Arrays.stream(sent.err().split("\n")).filter(l -> l.contains("proxy says hello")).count())
                .as(sent.err()).isLessThanOrEqualTo(2);
    }
}
