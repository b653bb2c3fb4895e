package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.receiver.ExpectContinueUpload;
import io.caravan.receiver.RawAnswer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Uploads that together need more direct memory than the receiver has (a JVM with 48 MiB, six 30 MB
 * bodies at once) are each answered: stored (201) or 503 with the JSON error {@code busy}, never a
 * connection closed without a word; the receiver goes on serving. Raw sockets, as curl sends: the
 * body follows {@code 100 Continue} and the answer is read while it is sent.
 */
class ReceiverOutOfDirectMemoryIT {

    private static final int BODY = 30_000_000;

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    @Test
    void everyUploadIsAnsweredWhenDirectMemoryRunsOut() throws Exception {
        int port = E2e.freePort();
        processes.start(dir, "serve", List.of("-XX:MaxDirectMemorySize=48m"),
                "serve", "--port", String.valueOf(port), "--root", dir.resolve("inbox").toString()).awaitHttpReady(port);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> start = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/start"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        String sid = E2e.JSON.readTree(start.body()).get("session_id").asText();
        byte[] body = new byte[BODY];
        new Random(3).nextBytes(body);

        ExecutorService pool = Executors.newCachedThreadPool();
        try {
            List<Future<RawAnswer>> answers = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                int index = i;
                answers.add(pool.submit(() -> upload(port, sid, index, body, pool)));
            }
            int busy = 0;
            for (Future<RawAnswer> future : answers) {
                RawAnswer answer = future.get(120, TimeUnit.SECONDS);
                assertThat(answer.statusLine()).matches("HTTP/1.1 (201|503) .*");
                if (answer.statusLine().startsWith("HTTP/1.1 503")) {
                    busy++;
                    JsonNode json = E2e.JSON.readTree(answer.body());
                    assertThat(json.get("error").asText()).isEqualTo("busy");
                    assertThat(json.get("message").asText()).contains("memory", "retry");
                }
            }
            assertThat(busy).as("uploads answered 503").isPositive();
        } finally {
            pool.shutdownNow();
        }
        RawAnswer after = upload(port, sid, 9, new byte[1000], null);
        assertThat(after.statusLine()).startsWith("HTTP/1.1 201");
    }

    private static RawAnswer upload(int port, String sid, int index, byte[] body, ExecutorService writers) throws Exception {
        try (ExpectContinueUpload upload = ExpectContinueUpload.ask(port, sid, index, body.length)) {
            return upload.send(body, writers);
        }
    }
}
