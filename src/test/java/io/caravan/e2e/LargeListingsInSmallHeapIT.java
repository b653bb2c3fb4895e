package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A share of 200,000 files (folder {@code big} of the inbox, so it is also the mirror {@code big}) on a
 * receiver with the launcher's 160 MiB heap (what a share of this size needs to rescan too): three listings of the share at once, then three listings of the mirror
 * at once, are each answered 200 with every entry, and {@code /health} still answers at once. The
 * answers are written entry by entry, never held whole in memory.
 */
class LargeListingsInSmallHeapIT {

    private static final int FOLDERS = 200;
    private static final int FILES_PER_FOLDER = 1000;
    private static final int ENTRIES = FOLDERS + FOLDERS * FILES_PER_FOLDER;

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    private Path inbox;

    @BeforeEach
    void bigFolder() throws IOException {
        inbox = ManyEmptyFiles.inbox("caravan-listing-", dir.resolve("inbox"), FOLDERS, FILES_PER_FOLDER);
    }

    @AfterEach
    void removeBigFolder() throws IOException {
        ManyEmptyFiles.remove(inbox);
    }

    @Test
    void threeListingsAtOnceAreEachAnsweredWhole() throws Exception {
        int port = E2e.freePort();
        processes.start(dir, "serve", List.of("-Xmx160m"), "serve", "--port", String.valueOf(port),
                "--root", inbox.toString(), "--share", "big=" + inbox.resolve("big")).awaitHttpReady(port);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        long started = System.nanoTime();
        List<Integer> shares = threeAtOnce(client, port, "/shares/big/listing");
        long shareMillis = (System.nanoTime() - started) / 1_000_000;
        assertThat(shares).containsExactly(ENTRIES, ENTRIES, ENTRIES);
        assertThat(healthMillis(port)).as("GET /health after the share listings, ms").isLessThan(1000);

        started = System.nanoTime();
        List<Integer> mirrors = threeAtOnce(client, port, "/mirror?name=big");
        long mirrorMillis = (System.nanoTime() - started) / 1_000_000;
        assertThat(mirrors).containsExactly(ENTRIES, ENTRIES, ENTRIES);
        assertThat(healthMillis(port)).as("GET /health after the mirror listings, ms").isLessThan(1000);
        System.out.println("three share listings of " + ENTRIES + " entries at once: " + shareMillis + " ms; three mirror listings: "
                + mirrorMillis + " ms");
    }

    /** Three GETs at once; each answer's entries counted as they arrive (the answer must be 200). */
    private static List<Integer> threeAtOnce(HttpClient client, int port, String path) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                answers.add(pool.submit(() -> entries(client, port, path)));
            }
            List<Integer> counts = new ArrayList<>();
            for (Future<Integer> answer : answers) {
                counts.add(answer.get(60, TimeUnit.SECONDS));
            }
            return counts;
        } finally {
            pool.shutdownNow();
        }
    }

    private static int entries(HttpClient client, int port, String path) throws Exception {
        HttpResponse<InputStream> answer = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = answer.body()) {
            if (answer.statusCode() != 200) {
                throw new AssertionError("GET " + path + " answered " + answer.statusCode() + ": "
                        + new String(body.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            }
            int count = 0;
            try (JsonParser parser = E2e.JSON.getFactory().createParser(body)) {
                assertThat(parser.nextToken()).isEqualTo(JsonToken.START_OBJECT);
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String field = parser.currentName();
                    JsonToken value = parser.nextToken();
                    if (field.equals("entries") && value == JsonToken.START_ARRAY) {
                        while (parser.nextToken() == JsonToken.START_OBJECT) {
                            parser.skipChildren();
                            count++;
                        }
                    } else {
                        parser.skipChildren();
                    }
                }
            }
            return count;
        }
    }

    private static long healthMillis(int port) {
        long started = System.nanoTime();
        assertThat(CaravanProcess.status(port, "/health")).isEqualTo(200);
        return (System.nanoTime() - started) / 1_000_000;
    }
}
