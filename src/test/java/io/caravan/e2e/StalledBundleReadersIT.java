package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.TestTrees;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A receiver in the launcher's JVM (128 MiB of direct memory) that 700 clients ask for a bundle of 64
 * MiB and never read from goes on answering: {@code /health} (asked for up to 30 s), and a reading client's
 * bundle is sent or refused 503 {@code busy}, never left hanging while the event-loop threads wait for
 * direct memory that the stalled answers hold.
 */
class StalledBundleReadersIT {

    private static final int STALLED = 700;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();
    @RegisterExtension
    final OpenSockets stalled = new OpenSockets();
    @TempDir
    Path dir;

    @Test
    void stalledBundleReadersDoNotStopTheReceiver() throws Exception {
        Path site = Files.createDirectories(dir.resolve("site"));
        TestTrees.random(site.resolve("m1.bin"), 1 << 20, 1);
        int port = E2e.freePort();
        CaravanProcess serve = processes.start(dir, "serve", SyncOfLargeFilesInDefaultHeapIT.LAUNCHER_DEFAULTS, "serve",
                "--port", String.valueOf(port), "--root", dir.resolve("inbox").toString(), "--share", "site=" + site)
                .awaitHttpReady(port);
        String bundle = "{\"paths\":[" + String.join(",", Collections.nCopies(64, "\"m1.bin\"")) + "]}";
        String request = "POST /shares/site/files HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + bundle.length() + "\r\n\r\n" + bundle;
        for (int i = 0; i < STALLED; i++) {
            stalled.send(port, 4096, request);
        }
        // stuck, the receiver answers nothing while the stalled clients stay connected (they do, to the end of
        // the test); a busy machine may take a few seconds over the 700 requests, so /health is asked until it
        // answers, for at most 30 s
        HttpResponse<String> health = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (health == null && System.nanoTime() < deadline) {
            try {
                health = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            } catch (java.net.http.HttpTimeoutException e) {
                // asked again
            }
        }
        assertThat(health).as("/health answered within 30 s while 700 stalled readers stay connected: " + serve.log()).isNotNull();
        assertThat(health.statusCode()).as(serve.log()).isEqualTo(200);

        HttpResponse<byte[]> reader = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/shares/site/files"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"paths\":[\"m1.bin\"]}")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(reader.statusCode()).as("a reading client's bundle").isIn(200, 503);
        if (reader.statusCode() == 200) {
            assertThat(reader.body()).hasSize(Long.BYTES + (1 << 20));
        } else {
            assertThat(new String(reader.body(), StandardCharsets.UTF_8)).contains("\"busy\"");
            assertThat(reader.headers().firstValue("Retry-After")).isPresent();
        }
        assertThat(serve.log()).doesNotContain("OutOfMemoryError", "Cannot reserve");
    }
}
