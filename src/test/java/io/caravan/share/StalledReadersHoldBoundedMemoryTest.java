package io.caravan.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.receiver.RawAnswer;
import io.caravan.receiver.ReceiverFixture;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that ask for bundles and files and never read the answer hold at most
 * {@code caravan.receiver.answer-memory} of the receiver's direct memory between them: once it is
 * reserved, a new bundle or file request is answered 503 {@code busy} with {@code Retry-After} (never
 * a 200 whose pieces pile up in memory until the event-loop threads wait for more); the receiver
 * goes on answering {@code /health} and readers, and the memory is free again once those clients go.
 */
class StalledReadersHoldBoundedMemoryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private static final int STALLED = 80;

    @TempDir
    Path tmp;
    ReceiverFixture server;
    final List<Socket> stalled = new ArrayList<>();
    String bundle;

    @BeforeEach
    void start() throws Exception {
        Path site = Files.createDirectories(tmp.resolve("site"));
        byte[] content = new byte[1 << 20];
        new Random(7).nextBytes(content);
        Files.write(site.resolve("m1.bin"), content);
        Files.write(site.resolve("big.bin"), new byte[8 << 20]);
        bundle = "{\"paths\":[" + String.join(",", Collections.nCopies(16, "\"m1.bin\"")) + "]}";
        server = new ReceiverFixture(tmp.resolve("inbox"), Map.of("caravan.shares.site", site.toString(),
                "caravan.receiver.answer-memory", "2MiB"));
    }

    @AfterEach
    void stop() throws Exception {
        for (Socket socket : stalled) {
            socket.close();
        }
        server.close();
    }

    @Test
    void clientsThatNeverReadAreRefusedOnceTheAnswerMemoryIsTaken() throws Exception {
        assertThat(server.get("/health").statusCode()).isEqualTo(200);
        for (int i = 0; i < STALLED; i++) {
            Socket socket = new Socket();
            socket.setReceiveBufferSize(4096);
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 2000);
            stalled.add(socket);
            OutputStream out = socket.getOutputStream();
            byte[] body = bundle.getBytes(StandardCharsets.UTF_8);
            String request = i % 4 == 3
                    ? "GET /shares/site/files?path=big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                    : "POST /shares/site/files HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                            + "Content-Length: " + body.length + "\r\n\r\n" + bundle;
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
        Thread.sleep(1000); // every request is answered by now: a 200 has handed its pieces to Netty, or a 503 is sent

        long started = System.nanoTime();
        HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(server.uri("/health"))
                .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
        HttpResponse<byte[]> reader = fetchBundle();
        assertThat(reader.statusCode()).as("a reading client's bundle while the stalled ones hold the memory").isIn(200, 503);
        if (reader.statusCode() == 503) {
            assertBusy(reader.headers().firstValue("Retry-After").orElse(null), new String(reader.body(), StandardCharsets.UTF_8));
        } else {
            assertThat(reader.body()).hasSize(16 * (Long.BYTES + (1 << 20)));
        }

        int refused = 0;
        for (Socket socket : stalled) {
            socket.setSoTimeout(5000);
            String head = head(socket.getInputStream()); // the status line and headers are sent whatever the client reads
            assertThat(head).matches("(?s)HTTP/1.1 (200|503) .*");
            if (head.startsWith("HTTP/1.1 503")) {
                refused++;
                RawAnswer answer = RawAnswer.read(new java.io.SequenceInputStream(
                        new java.io.ByteArrayInputStream(head.getBytes(StandardCharsets.ISO_8859_1)), socket.getInputStream()));
                assertBusy(answer.headers().get("retry-after"), answer.body());
            }
        }
        assertThat(refused).as("of " + STALLED + " answers that are never read, those refused 503 busy once 2 MiB is held")
                .isGreaterThan(STALLED / 2);

        for (Socket socket : stalled) {
            socket.close();
        }
        await("the answer memory is free again once the stalled clients are gone").atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(fetchBundle().statusCode()).isEqualTo(200));
    }

    /** The status line and headers of an answer, up to and with the blank line that ends them. */
    private static String head(java.io.InputStream in) throws java.io.IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new java.io.EOFException("the connection closed in the head of an answer: " + head);
            }
            head.append((char) b);
        }
        return head.toString();
    }

    private HttpResponse<byte[]> fetchBundle() throws Exception {
        return HTTP.send(HttpRequest.newBuilder(server.uri("/shares/site/files")).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(bundle)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static void assertBusy(String retryAfter, String body) throws Exception {
        JsonNode json = JSON.readTree(body);
        assertThat(json.path("error").asText()).isEqualTo("busy");
        assertThat(json.path("message").asText()).contains("caravan.receiver.answer-memory");
        assertThat(retryAfter).isNotBlank();
    }
}
