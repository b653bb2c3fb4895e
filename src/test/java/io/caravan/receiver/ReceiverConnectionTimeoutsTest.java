package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.util.DirectMemoryBudget;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No connection holds the receiver for nothing: a request whose headers or body stop arriving gets
 * 408 request_timeout with the JSON body after caravan.receiver.stall-timeout and its connection
 * closes (slow-header clients cannot pile up connections), an upload's body giving back the direct
 * memory reserved for it; headers trickled a byte at a time, never
 * pausing that long, get the same answer once the stall timeout has passed since their first byte; a
 * body dripping slower than caravan.receiver.min-body-rate (1 KiB/s, averaged over each stall timeout)
 * too, while a slow body above that rate is stored; a connection idle between requests closes after
 * caravan.receiver.idle-timeout, and so does one whose client pipelines requests and takes none of their answers; a
 * request the receiver itself is working on (a long poll) is never cut.
 */
class ReceiverConnectionTimeoutsTest {

    @TempDir
    static Path tmp;
    static ReceiverFixture receiver;

    @BeforeAll
    static void start() throws Exception {
        Path shared = Files.createDirectories(tmp.resolve("shared"));
        receiver = new ReceiverFixture(tmp.resolve("inbox"), Map.of(
                "caravan.receiver.stall-timeout", "2s",
                "caravan.receiver.idle-timeout", "3s",
                "caravan.shares.site", shared.toString()));
    }

    @AfterAll
    static void stop() throws Exception {
        receiver.close();
    }

    @Test
    void headersThatStopArrivingGet408AndTheConnectionCloses() throws Exception {
        try (Socket socket = socket()) {
            write(socket, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a");
            long t0 = System.nanoTime();
            RawAnswer answer = RawAnswer.read(socket.getInputStream());
            assertThat(answer.statusLine()).startsWith("HTTP/1.1 408");
            assertThat(ReceiverCalls.JSON.readTree(answer.body()).get("error").asText()).isEqualTo("request_timeout");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(8));
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void anUploadWhoseBodyStopsGets408AndStoresNothing() throws Exception {
        String sid = ReceiverCalls.ok(receiver.post("/start", "{\"codec\":\"zstd\",\"name\":\"stalled\"}"), 201)
                .get("session_id").asText();
        DirectMemoryBudget memory = receiver.context().getRegistry()
                .lookupByNameAndType(DirectMemoryBudget.BEAN, DirectMemoryBudget.class);
        try (Socket socket = socket()) {
            write(socket, "PUT /upload/" + sid + "/0 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n" + "x".repeat(100));
            await("the body's size reserved").atMost(Duration.ofSeconds(1)).until(memory::held, held -> held == 1000);
            RawAnswer answer = RawAnswer.read(socket.getInputStream());
            assertThat(answer.statusLine()).startsWith("HTTP/1.1 408");
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
        await("the stalled body's reservation given back").atMost(Duration.ofSeconds(2)).until(memory::held, held -> held == 0);
        JsonNode status = ReceiverCalls.ok(receiver.get("/status/" + sid), 200);
        assertThat(status.get("received")).isEmpty();
    }

    @Test
    void headersTrickledFasterThanTheStallTimeoutGet408OnceItHasPassedSinceTheirFirstByte() throws Exception {
        try (Socket socket = socket()) {
            long t0 = System.nanoTime();
            write(socket, "POST /check HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
            assertTimedOutWhileDripping(socket, t0, "caravan.receiver.stall-timeout");
        }
    }

    @Test
    void aBodyDrippedFasterThanTheStallTimeoutButBelowTheMinimumRateGets408() throws Exception {
        String sid = ReceiverCalls.ok(receiver.post("/start", "{\"codec\":\"zstd\",\"name\":\"dripped\"}"), 201)
                .get("session_id").asText();
        try (Socket socket = socket()) {
            write(socket, "PUT /upload/" + sid + "/0 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\n");
            long t0 = System.nanoTime();
            assertTimedOutWhileDripping(socket, t0, "caravan.receiver.min-body-rate");
        }
        assertThat(ReceiverCalls.ok(receiver.get("/status/" + sid), 200).get("received")).isEmpty();
    }

    @Test
    void aSlowUploadAboveTheMinimumRateIsStored() throws Exception {
        String sid = ReceiverCalls.ok(receiver.post("/start", "{\"codec\":\"zstd\",\"name\":\"slow\"}"), 201)
                .get("session_id").asText();
        int size = 8 * 1024;
        try (Socket socket = socket()) {
            // 384 bytes every 250 ms by the clock (a late write is caught up at once, so a loaded machine does not
            // slow the pace): 1.5 KiB/s for about 5 s, more than two stall timeouts
            write(socket, "PUT /upload/" + sid + "/0 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + size + "\r\n\r\n");
            long started = System.nanoTime();
            for (int sent = 0, piece = 0; sent < size; sent += 384, piece++) {
                long due = started + piece * 250_000_000L;
                long early = due - System.nanoTime();
                if (early > 0) {
                    Thread.sleep(early / 1_000_000, (int) (early % 1_000_000));
                }
                socket.getOutputStream().write(new byte[Math.min(384, size - sent)]);
                socket.getOutputStream().flush();
            }
            assertThat(RawAnswer.read(socket.getInputStream()).statusLine()).startsWith("HTTP/1.1 201");
        }
        assertThat(ReceiverCalls.ok(receiver.get("/status/" + sid), 200).get("received")).hasSize(1);
    }

    @Test
    void aConnectionIdleBetweenRequestsIsClosed() throws Exception {
        try (Socket socket = socket()) {
            write(socket, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertThat(RawAnswer.read(socket.getInputStream()).statusLine()).startsWith("HTTP/1.1 200");
            long t0 = System.nanoTime();
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(9));
        }
    }

    @Test
    void aConnectionWhoseClientPipelinesAndTakesNoAnswerIsClosedAfterTheIdleTimeout() throws Exception {
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(4096);
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", receiver.port()), 5000);
            // far more answers (the login page) than the kernel and the receiver hold for a client that reads nothing
            byte[] requests = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".repeat(200_000)
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            java.util.concurrent.CompletableFuture<String> written = new java.util.concurrent.CompletableFuture<>();
            Thread writer = new Thread(() -> {
                try {
                    socket.getOutputStream().write(requests);
                    written.complete("all of it taken");
                } catch (IOException closed) {
                    written.complete("closed by the receiver");
                }
            }, "pipelining-writer");
            writer.setDaemon(true);
            writer.start();
            // once the answers fill what the kernel holds for the client, the receiver reads nothing more of it (the
            // write blocks) and closes it after the idle timeout (the write fails)
            assertThat(written.get(60, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("closed by the receiver");
        }
    }

    @Test
    void aLongPollLongerThanTheStallTimeoutIsAnswered() throws Exception {
        JsonNode share = ReceiverCalls.ok(receiver.get("/shares/site/listing"), 200);
        long sequence = share.get("sequence").asLong();
        try (Socket socket = socket()) {
            // held 4 s: longer than the 2 s stall timeout and than the 3 s idle timeout
            write(socket, "GET /shares/site/events?since=" + sequence + "&timeout=4 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            long t0 = System.nanoTime();
            RawAnswer answer = RawAnswer.read(socket.getInputStream());
            assertThat(answer.statusLine()).startsWith("HTTP/1.1 200");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThan(Duration.ofSeconds(3));
        }
    }

    /**
     * Drips a byte every 500 ms (a quarter of the stall timeout) for up to 12 s and expects 408
     * request_timeout naming {@code setting}, 1 to 6 s after {@code t0}, then the connection closed.
     */
    private static void assertTimedOutWhileDripping(Socket socket, long t0, String setting) throws Exception {
        try (Drip drip = new Drip(socket, Duration.ofMillis(500), Duration.ofSeconds(12))) {
            RawAnswer answer = RawAnswer.read(socket.getInputStream());
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(6));
            assertThat(answer.statusLine()).startsWith("HTTP/1.1 408");
            assertThat(ReceiverCalls.JSON.readTree(answer.body()).get("error").asText()).isEqualTo("request_timeout");
            assertThat(answer.body()).contains(setting);
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
    }

    private static Socket socket() throws IOException {
        return RawSockets.open(receiver.port());
    }

    private static void write(Socket socket, String text) throws IOException {
        RawSockets.write(socket, text);
    }

    /** Writes a letter every {@code period} on a thread of its own, until closed, {@code most} passed or a write fails. */
    private static final class Drip implements AutoCloseable {
        private final Thread thread;

        Drip(Socket socket, Duration period, Duration most) {
            long end = System.nanoTime() + most.toNanos();
            thread = new Thread(() -> {
                try {
                    while (System.nanoTime() < end) {
                        Thread.sleep(period.toMillis());
                        socket.getOutputStream().write('a');
                        socket.getOutputStream().flush();
                    }
                } catch (IOException | InterruptedException e) {
                    // the receiver closed the connection, or the test ended
                }
            }, "drip");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            thread.interrupt();
            thread.join(2000);
        }
    }
}
