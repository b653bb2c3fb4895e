package io.caravan.sender;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.caravan.CliRunner;
import io.caravan.TestTrees;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A single file sent as its own bytes (a raw session, whose stream has no SHA-256 of its own on the
 * sender) is published only when the finish answer says so: the published name, a SHA-256 of 64 hex
 * digits and the file's size. A 200 with an empty object, or with another size, fails the send.
 */
class EmptyFinishAnswerTest {

    @TempDir
    Path tmp;
    HttpServer server;

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String receiverAnsweringTheFinishWith(String finish) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            exchange.getRequestBody().readAllBytes();
            if (path.equals("/start")) {
                answer(exchange, 201, "{\"session_id\":\"s1\"}");
            } else if (path.startsWith("/upload/")) {
                answer(exchange, 201, "{\"index\":0,\"status\":\"created\"}");
            } else if (path.startsWith("/finish/")) {
                answer(exchange, 200, finish);
            } else if (path.equals("/check")) {
                answer(exchange, 200, "{\"found\":[]}");
            } else {
                answer(exchange, 404, "{\"error\":\"not_found\",\"message\":\"no\"}");
            }
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** A file of random bytes: not compressed, so sent as its own bytes. */
    private Path rawFile() throws IOException {
        Path file = tmp.resolve("photo.jpg");
        TestTrees.random(file, 200_000, 7);
        return file;
    }

    private CliRunner.Result send(Path file, String url) {
        return CliRunner.run("send", file.toString(), "--to", url, "--state-dir", tmp.resolve("state").toString());
    }

    @Test
    void anEmptyFinishAnswerIsNoPublish() throws Exception {
        Path file = rawFile();

        CliRunner.Result sent = send(file, receiverAnsweringTheFinishWith("{}"));

        assertThat(sent.exitCode()).as(sent.err()).isNotZero();
        assertThat(sent.err()).contains("finish").contains("photo.jpg").doesNotContain("succeeded: 1");
    }

    @Test
    void aFinishAnswerWithAnotherSizeIsNoPublish() throws Exception {
        Path file = rawFile();

        CliRunner.Result sent = send(file, receiverAnsweringTheFinishWith(
                "{\"path\":\"photo.jpg\",\"files\":1,\"bytes\":5,\"sha256\":\"" + "a".repeat(64) + "\"}"));

        assertThat(sent.exitCode()).as(sent.err()).isNotZero();
        assertThat(sent.err()).contains("200000").contains("5");
    }

    @Test
    void aWellFormedFinishAnswerIsAPublish() throws Exception {
        Path file = rawFile();

        CliRunner.Result sent = send(file, receiverAnsweringTheFinishWith(
                "{\"path\":\"photo.jpg\",\"files\":1,\"bytes\":200000,\"sha256\":\"" + "a".repeat(64) + "\"}"));

        assertThat(sent.exitCode()).as(sent.err()).isZero();
    }
}
