package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.receiver.RawAnswer;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A receiver in the launcher's JVM (128 MiB of direct memory) to which 60 clients each start a chunk
 * upload of the largest body it takes (the 32 MiB max chunk size plus 1 MiB), send a few bytes of it
 * and stall, goes on answering: the uploads its direct-memory budget has no room for are refused at
 * once, 503 {@code busy} with {@code Retry-After}, before any of their body is held; {@code /health}
 * answers within seconds, another client's small upload is stored or refused the same way (never
 * left hanging while the event-loop threads wait for direct memory the stalled bodies hold), and once
 * the stalled clients go, every byte they reserved is free again. The budget alone is looked at here:
 * {@code caravan.receiver.busy-body-time}, which cuts such bodies within seconds once uploads wait, is off.
 */
class StalledUploadsIT {

    private static final int STALLED = 60;
    private static final long LARGEST_BODY = (32L << 20) + (1L << 20);
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path dir;
    @RegisterExtension
    final OpenSockets stalled = new OpenSockets();
    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @Test
    void stalledUploadsHoldABoundedShareOfDirectMemory() throws Exception {
        // the budget alone: the pace that cuts stalled bodies while uploads wait is TrickledUploadsGiveWayTest's
        Files.writeString(dir.resolve("application.properties"), "caravan.receiver.busy-body-time = 0\n");
        int port = E2e.freePort();
        CaravanProcess serve = processes.serveAsLauncher(dir, port);
        String sid = startSession(port);

        for (int i = 0; i < STALLED; i++) {
            stalled.send(port, 0, "PUT /upload/" + sid + "/" + i + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: application/octet-stream\r\nContent-Length: " + LARGEST_BODY + "\r\n\r\n"
                    + "a few bytes of it");
        }
        long sent = System.nanoTime();
        HttpResponse<String> health = null;
        while (health == null && System.nanoTime() - sent < Duration.ofSeconds(5).toNanos()) {
            try {
                health = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                        .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString());
            } catch (java.net.http.HttpTimeoutException e) {
                // asked again
            }
        }
        assertThat(health).as("/health answered within 5 s of " + STALLED + " stalled uploads: " + serve.log()).isNotNull();
        assertThat(health.statusCode()).isEqualTo(200);

        int waiting = 0;
        for (Socket socket : stalled.all()) {
            socket.setSoTimeout(2000);
            try {
                RawAnswer answer = RawAnswer.read(socket.getInputStream());
                assertThat(answer.statusLine()).as("a stalled upload's answer").startsWith("HTTP/1.1 503");
                assertBusy(answer.headers().get("retry-after"), answer.body());
            } catch (SocketTimeoutException e) {
                waiting++; // admitted: its body is awaited
            }
        }
        assertThat(waiting).as("stalled uploads admitted, each holding " + LARGEST_BODY + " bytes").isBetween(1, 3);
        assertThat(E2e.metric(port, "caravan_direct_memory_held_bytes")).as("direct memory the admitted bodies reserved")
                .isEqualTo((double) waiting * LARGEST_BODY);

        HttpResponse<String> small = HTTP.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/upload/" + sid + "/" + (STALLED + 1)))
                .timeout(Duration.ofSeconds(10)).PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[1000])).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(small.statusCode()).as("another client's small upload: " + small.body()).isIn(201, 503);
        if (small.statusCode() == 503) {
            assertBusy(small.headers().firstValue("Retry-After").orElse(null), small.body());
        }

        stalled.closeAll();
        await("the direct memory is whole again once the stalled clients are gone").atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(E2e.metric(port, "caravan_direct_memory_held_bytes")).isZero());
        assertThat(serve.log()).doesNotContain("OutOfMemoryError", "Cannot reserve");
    }

    /** A new upload session on the receiver on {@code port}; its id. */
    static String startSession(int port) throws Exception {
        HttpResponse<String> start = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/start"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(start.statusCode()).as(start.body()).isEqualTo(201);
        return E2e.JSON.readTree(start.body()).get("session_id").asText();
    }

    /** A 503 answer's {@code Retry-After} and JSON body say {@code busy}, naming the direct-memory budget. */
    static void assertBusy(String retryAfter, String body) throws Exception {
        JsonNode json = E2e.JSON.readTree(body);
        assertThat(json.path("error").asText()).isEqualTo("busy");
        assertThat(json.path("message").asText()).contains("caravan.receiver.direct-memory", "retry");
        assertThat(retryAfter).as("Retry-After").isNotBlank();
    }
}
