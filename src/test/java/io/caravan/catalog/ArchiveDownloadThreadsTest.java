package io.caravan.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.TestTrees;
import io.caravan.receiver.ReceiverFixture;
import io.caravan.receiver.RunningReceiver;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Archive downloads are built on {@code caravan.receiver.archive-threads} threads: one download more
 * is answered at once with 503 {@code busy}, {@code Retry-After} and the JSON error body, and is
 * served once a thread is free again. While an archive is built no Netty I/O thread waits for its
 * bytes (that thread serves other connections too).
 */
class ArchiveDownloadThreadsTest {

    @TempDir
    static Path tmp;
    @RegisterExtension
    static final RunningReceiver RUNNING = CatalogFixture.receiverAt(() -> tmp.resolve("inbox"))
            .property("caravan.receiver.archive-threads", "1");
    static ReceiverFixture receiver;

    @BeforeAll
    static void publish(ReceiverFixture started) throws Exception {
        receiver = started;
        CatalogFixture.publishSmall(receiver, tmp);
    }

    @Test
    void aDownloadBeyondTheArchiveThreadsIsAnsweredBusyAtOnce() throws Exception {
        CatalogFixture.publishRandom(receiver, tmp, "big", 48 << 20, 3);
        try (Socket socket = new Socket("127.0.0.1", receiver.port())) {
            // the one archive thread builds 'big' for a client that reads no more than its start
            socket.getOutputStream().write("GET /parcels/tar-zst?name=big HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(socket.getInputStream().readNBytes(4096)).hasSize(4096);

            long start = System.nanoTime();
            HttpResponse<String> busy = receiver.get("/parcels/zip?name=small");

            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            CatalogApiTest.error(busy, 503);
            assertThat(CatalogFixture.json(busy).get("error").asText()).isEqualTo("busy");
            assertThat(CatalogFixture.json(busy).get("message").asText()).contains("caravan.receiver.archive-threads");
            assertThat(busy.headers().firstValue("Retry-After")).isPresent();
            assertThat(busy.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        }
        // the client went away: its archive's thread is free again
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> receiver.get("/parcels/zip?name=small").statusCode() == 200);
    }

    @Test
    void noNettyIoThreadWaitsForTheBytesOfAnArchive() throws Exception {
        // many small files: the archive's bytes come in bursts, with moments when none are ready
        Path many = Files.createDirectories(tmp.resolve("src-many/many"));
        for (int i = 0; i < 2000; i++) {
            TestTrees.write(many.resolve("file-" + i + ".txt"), "content of file " + i);
        }
        CatalogFixture.send(receiver, many, "many", "zstd", tmp.resolve("state-many"), null);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        Map<String, String> waiting = new ConcurrentHashMap<>();
        AtomicBoolean downloading = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (downloading.get()) {
                Thread.getAllStackTraces().forEach((thread, stack) -> {
                    if (ioThreadWaitingForAPipe(stack)) {
                        waiting.put(thread.getName(), List.of(stack).toString());
                    }
                });
            }
        }, "stack-sampler");
        sampler.start();
        try {
            for (int i = 0; i < 5; i++) {
                for (String format : new String[] {"zip", "tar-zst"}) {
                    HttpResponse<InputStream> download = client.send(HttpRequest.newBuilder(
                            receiver.uri("/parcels/" + format + "?name=many")).build(), HttpResponse.BodyHandlers.ofInputStream());
                    assertThat(download.statusCode()).isEqualTo(200);
                    try (InputStream body = download.body()) {
                        assertThat(body.readAllBytes().length).isPositive();
                    }
                }
            }
        } finally {
            downloading.set(false);
            sampler.join();
        }
        assertThat(waiting).as("Netty I/O threads found waiting for an archive's bytes").isEmpty();
    }

    /** A Netty event loop (its run loop is on the stack) waiting inside a pipe's read. */
    private static boolean ioThreadWaitingForAPipe(StackTraceElement[] stack) {
        boolean waits = stack.length > 0 && stack[0].getClassName().equals("java.lang.Object")
                && stack[0].getMethodName().startsWith("wait");
        boolean inPipeRead = false;
        boolean eventLoop = false;
        for (StackTraceElement frame : stack) {
            inPipeRead |= frame.getClassName().equals("java.io.PipedInputStream") && frame.getMethodName().equals("read");
            eventLoop |= frame.getClassName().startsWith("io.netty.channel.") && frame.getClassName().contains("EventLoop");
        }
        return waits && inPipeRead && eventLoop;
    }
}
