package io.caravan.sync;

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
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A receiver whose mirror listing never ends cannot make {@code caravan sync --to} hold it: the listing
 * is read entry by entry and refused past its bound, with a message naming it, promptly and once.
 */
class EndlessMirrorListingTest {

    @TempDir
    Path tmp;
    HttpServer server;
    final ExecutorService threads = Executors.newCachedThreadPool();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(threads);
        server.createContext("/mirror", this::endless);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
        threads.shutdownNow();
    }

    private void endless(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, 0);
        byte[] entries = "{\"path\":\"d\",\"type\":\"dir\"},".repeat(1000).getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write("{\"name\":\"m\",\"entries\":[".getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < 1_000_000; i++) {
                out.write(entries);
            }
        } catch (IOException gone) {
            // the client stopped reading
        }
    }

    @Test
    void anEndlessListingIsRefusedAtItsBound() throws Exception {
        Path source = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(source.resolve("a.txt"), "a");
        long t0 = System.nanoTime();

        CliRunner.Result sync = CliRunner.run("sync", source.toString(), "--to", "http://127.0.0.1:" + server.getAddress().getPort(),
                "--name", "m", "--once", "--state-dir", tmp.resolve("state").toString());

        assertThat(sync.exitCode()).isNotZero();
        assertThat(sync.err()).contains("more than").contains("entries");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(60));
    }
}
