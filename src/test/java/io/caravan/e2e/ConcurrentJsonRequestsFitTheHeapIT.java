package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.receiver.RawAnswer;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A receiver in the launcher's JVM (160 MiB of heap) asked ten batch {@code POST /check}s of 100,000 hashes
 * (6.7 MB each, within {@code max-json-body} and the endpoint's cap) at once goes on living: their parsed
 * bodies and answers (which list every hash again) would need several times the heap, and the ones its
 * JSON-memory budget ({@code caravan.receiver.json-memory}) has no room for are answered 503 {@code busy}
 * with {@code Retry-After}, before their body is read; the others get their answer. Afterwards
 * {@code /health} answers 200 and nothing of the budget is held.
 */
class ConcurrentJsonRequestsFitTheHeapIT {

    private static final int REQUESTS = 10;
    private static final int HASHES = 100_000;

    @TempDir
    Path dir;
    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @Test
    void tenLargeChecksAtOnceAreAnsweredOrToldToWait() throws Exception {
        int port = E2e.freePort();
        List<String> launcher = new ArrayList<>(SyncOfLargeFilesInDefaultHeapIT.LAUNCHER_DEFAULTS);
        launcher.add("-XX:+ExitOnOutOfMemoryError"); // as the launcher runs serve
        CaravanProcess serve = processes.start(dir, "serve", launcher, E2e.serve(port, dir.resolve("inbox")))
                .awaitHttpReady(port);
        byte[] body = hashes(HASHES);
        byte[] head = ("POST /check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

        ExecutorService clients = Executors.newFixedThreadPool(REQUESTS);
        List<Future<RawAnswer>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < REQUESTS; i++) {
                answers.add(clients.submit(() -> ask(port, head, body)));
            }
            int answered = 0;
            int busy = 0;
            for (Future<RawAnswer> pending : answers) {
                RawAnswer answer;
                try {
                    answer = pending.get(25, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    throw new AssertionError("a /check got no answer (the receiver alive: " + serve.isAlive() + ")",
                            e.getCause());
                }
                JsonNode json = E2e.JSON.readTree(answer.body());
                if (answer.statusLine().startsWith("HTTP/1.1 200")) {
                    assertThat(json.path("missing").size()).as("hashes the answer lists as missing").isEqualTo(HASHES);
                    answered++;
                } else {
                    assertThat(answer.statusLine()).as(answer.body()).startsWith("HTTP/1.1 503");
                    assertThat(json.path("error").asText()).isEqualTo("busy");
                    assertThat(json.path("message").asText()).contains("caravan.receiver.json-memory", "retry");
                    assertThat(answer.headers()).as("Retry-After").containsKey("retry-after");
                    busy++;
                }
            }
            System.out.printf("%d of %d large /check answered 200, %d told 503 busy%n", answered, REQUESTS, busy);
            assertThat(answered).as("checks the budget had room for").isPositive();
        } finally {
            clients.shutdownNow();
        }
        assertThat(serve.isAlive()).as("the receiver lives: " + serve.log()).isTrue();
        assertThat(CaravanProcess.status(port, "/health")).isEqualTo(200);
        await("the JSON memory is whole again").atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(E2e.metric(port, "caravan_json_memory_held_bytes")).isZero());
        assertThat(serve.log()).doesNotContain("OutOfMemoryError");
    }

    /** Sends one whole request on a connection of its own, as a plain client does, then reads its answer. */
    private static RawAnswer ask(int port, byte[] head, byte[] body) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(head);
            out.write(body);
            out.flush();
            return RawAnswer.read(new BufferedInputStream(socket.getInputStream()));
        }
    }

    /** A JSON list of {@code count} distinct random SHA-256 hashes, as a sender's batch /check sends them. */
    private static byte[] hashes(int count) {
        Random random = new Random(count);
        byte[] hash = new byte[32];
        StringBuilder list = new StringBuilder(count * 67 + 2).append('[');
        for (int i = 0; i < count; i++) {
            random.nextBytes(hash);
            list.append(i == 0 ? "\"" : ",\"").append(HexFormat.of().formatHex(hash)).append('"');
        }
        return list.append(']').toString().getBytes(StandardCharsets.US_ASCII);
    }
}
