package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.caravan.TestTrees;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code caravan run --role sender} in the launcher's heap (160 MiB) whose receiver's address first
 * answers {@code POST /start} with 201 and a body that never ends: the sender reads a bounded part of
 * it, fails that parcel (moved to {@code .failed/} with a note), keeps polling its outbox, and once a
 * real {@code caravan serve} answers on that port a file dropped later is sent.
 */
class HostileAnswerThenReceiverIT {

    /** The launcher's default JVM options (the {@code caravan} script). */
    private static final List<String> LAUNCHER_HEAP = List.of("-Xms32m", "-Xmx160m", "-XX:MaxDirectMemorySize=128m",
            "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30");

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    @Test
    void aParcelAnsweredEndlesslyFailsAndALaterOneIsSentToTheRealReceiver() throws Exception {
        int port = E2e.freePort();
        AtomicInteger starts = new AtomicInteger();
        HttpServer hostile = endless(port, starts);
        Path outbox = dir.resolve("outbox");
        Path staging = Files.createDirectories(dir.resolve("staging"));
        TestTrees.write(staging.resolve("first.txt"), "answered endlessly\n");
        TestTrees.write(staging.resolve("later.txt"), "sent once a receiver answers\n");

        CaravanProcess sender = processes.start(dir, "sender", LAUNCHER_HEAP, E2e.run(dir, port, "--role", "sender",
                "-Dcaravan.console.enabled=false"));
        try {
            E2e.drop(staging.resolve("first.txt"), outbox);
            await("the first parcel given up").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                    .until(() -> Files.exists(outbox.resolve(".failed/first.txt")) || sender.log().contains("OutOfMemoryError"));
        } finally {
            hostile.stop(0);
        }
        assertThat(starts.get()).as("starts answered endlessly").isPositive();

        processes.start(dir, "serve", E2e.serve(port, dir.resolve("inbox"))).awaitHttpReady(port);
        E2e.drop(staging.resolve("later.txt"), outbox);

        await("the later file in the inbox").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> Files.exists(dir.resolve("inbox/later.txt")));
        assertThat(dir.resolve("inbox/later.txt")).hasContent("sent once a receiver answers");
        assertThat(sender.isAlive()).isTrue();
        assertThat(sender.log()).doesNotContain("OutOfMemoryError");
        assertThat(outbox.resolve(".failed/first.txt.error.txt")).content().contains("not JSON").hasSizeLessThan(2000);
    }

    /** A server on {@code port} that answers {@code /health} and every other request with 201 and a body without end. */
    private static HttpServer endless(int port, AtomicInteger starts) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            if (exchange.getRequestURI().getPath().equals("/health")) {
                byte[] up = "{\"status\":\"UP\"}".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, up.length);
                exchange.getResponseBody().write(up);
                exchange.close();
                return;
            }
            if (exchange.getRequestURI().getPath().equals("/start")) {
                starts.incrementAndGet();
            }
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(201, 0);
            byte[] block = "a".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII);
            try (OutputStream out = exchange.getResponseBody()) {
                while (true) {
                    out.write(block);
                }
            } catch (IOException closedByTheSender) {
                // the sender stopped reading
            }
        });
        server.start();
        return server;
    }
}
