package io.caravan.sender;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.caravan.CliRunner;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A receiver that answers a finish with a stream SHA-256 other than the one the sender packed (it
 * stored something else, or nothing) does not make the send a success: the sender checks the answer
 * against its manifest and fails naming both hashes.
 */
class LyingReceiverTest {

    @TempDir
    Path tmp;
    HttpServer server;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            exchange.getRequestBody().readAllBytes();
            if (path.equals("/start")) {
                answer(exchange, 201, "{\"session_id\":\"s1\",\"chunk_size\":8388608,\"max_chunk_size\":33554432}");
            } else if (path.startsWith("/upload/")) {
                answer(exchange, 201, "{\"index\":0,\"status\":\"created\"}");
            } else if (path.startsWith("/status/")) {
                answer(exchange, 200, "{\"session_id\":\"s1\",\"received\":[]}");
            } else if (path.startsWith("/finish/")) {
                answer(exchange, 200, "{\"path\":\"docs\",\"files\":1,\"bytes\":5,\"sha256\":\"" + "1".repeat(64) + "\"}");
            } else if (path.equals("/check")) {
                answer(exchange, 200, "{}");
            } else {
                answer(exchange, 404, "{\"error\":\"not_found\",\"message\":\"no\"}");
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Test
    void aFinishAnsweredWithAnotherStreamHashFailsTheSend() throws Exception {
        Path docs = Files.createDirectories(tmp.resolve("docs"));
        Files.writeString(docs.resolve("a.txt"), "hello");

        CliRunner.Result sent = CliRunner.run("send", docs.toString(), "--to", "http://127.0.0.1:" + server.getAddress().getPort(),
                "--state-dir", tmp.resolve("state").toString());

        assertThat(sent.exitCode()).as(sent.err()).isNotZero();
        assertThat(sent.err()).contains("1111111111").contains("SHA-256");
    }
}
