package io.caravan.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server that starts an answer and then sends nothing more (a hostile one, or a connection that
 * died without a word) fails the follower's listing or poll within its stall timeout, with a message
 * saying so, instead of holding it forever; so does one that drips a byte now and then. A follower
 * parked in a poll the server holds still stops at once when it is closed.
 */
class StalledShareServerTest {

    static final Duration STALL = Duration.ofSeconds(2);
    /** Longer than any of these answers may take; the code before the stall timeout covered the body waited forever. */
    static final Duration BOUND = Duration.ofSeconds(12);

    @TempDir
    Path tmp;
    HttpServer server;
    final ExecutorService threads = Executors.newCachedThreadPool();
    final CountDownLatch release = new CountDownLatch(1);
    final CountDownLatch polled = new CountDownLatch(1);

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(threads);
        server.createContext("/shares/silent/listing", x -> stall(x, "{\"share\":\"silent\",\"sequence\":1,\"entries\":[", 0));
        server.createContext("/shares/silent/events", x -> stall(x, "{\"share\":\"silent\",\"latest\":2,\"events\":[", 0));
        server.createContext("/shares/drip/listing", x -> stall(x, "{\"share\":\"drip\",\"sequence\":1,\"entries\":[", 1000));
        server.createContext("/shares/drip/events", x -> stall(x, "{\"share\":\"drip\",\"latest\":2,\"events\":[", 1000));
        server.createContext("/shares/drip/files", this::dripFile);
        server.createContext("/shares/blank/listing", this::endlessBlanks);
        server.createContext("/shares/paced/listing", this::pacedBlanks);
        server.createContext("/shares/refused/listing", x -> answer(x, "{\"share\":\"refused\",\"sequence\":1,\"entries\":["
                + java.util.stream.IntStream.range(0, 500).mapToObj(i -> "{\"path\":\"../x" + i
                        + "\",\"type\":\"file\",\"size\":1,\"mtime\":0,\"mode\":420}").collect(java.util.stream.Collectors.joining(","))
                + ",{\"path\":\"ok\",\"type\":\"file\",\"size\":1,\"mtime\":0,\"mode\":420}]}"));
        server.createContext("/shares/held/listing", x -> answer(x, "{\"share\":\"held\",\"sequence\":1,\"entries\":[]}"));
        server.createContext("/shares/held/events", this::hold);
        server.start();
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.stop(0);
        threads.shutdownNow();
    }

    /** Sends {@code head}, then nothing (or, with {@code dripMillis}, one space that often) until the test ends. */
    private void stall(HttpExchange exchange, String head, long dripMillis) throws IOException {
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(head.getBytes(StandardCharsets.UTF_8));
            out.flush();
            while (!release.await(dripMillis > 0 ? dripMillis : 60_000, TimeUnit.MILLISECONDS)) {
                if (dripMillis > 0) {
                    out.write(' ');
                    out.flush();
                }
            }
        } catch (IOException | InterruptedException gone) {
            // the client went away: what the test wants
        }
    }

    /** Announces {@link #BIG} bytes of a file (or its rest), then sends one byte every 100 ms until the client hangs up. */
    private void dripFile(HttpExchange exchange) throws IOException {
        String range = exchange.getRequestHeaders().getFirst("Range"); // a resumed fetch: bytes=N-
        long from = range == null ? 0 : Long.parseLong(range.replaceAll("[^0-9]", ""));
        if (range != null) {
            exchange.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (BIG - 1) + "/" + BIG);
        }
        exchange.sendResponseHeaders(range == null ? 200 : 206, BIG - from);
        try (OutputStream out = exchange.getResponseBody()) {
            while (!release.await(100, TimeUnit.MILLISECONDS)) {
                out.write('x');
                out.flush();
            }
        } catch (IOException | InterruptedException gone) {
            // the client went away: what the test wants
        }
    }

    static final long BIG = 2 << 20;

    /** A listing's start, then 48 KiB of whitespace a second (12 times a hashing server's keep-alive), for good. */
    private void pacedBlanks(HttpExchange exchange) throws IOException {
        exchange.sendResponseHeaders(200, 0);
        byte[] blanks = " ".repeat(12 * 1024).getBytes(StandardCharsets.US_ASCII);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write("{\"share\":\"paced\",\"sequence\":1,\"entries\":[".getBytes(StandardCharsets.UTF_8));
            while (!release.await(250, TimeUnit.MILLISECONDS)) {
                out.write(blanks);
                out.flush();
            }
        } catch (IOException | InterruptedException gone) {
            // the client went away: what the test wants
        }
    }

    /** A listing's start, then whitespace (which JSON skips) as fast as the client takes it, until it hangs up. */
    private void endlessBlanks(HttpExchange exchange) throws IOException {
        exchange.sendResponseHeaders(200, 0);
        byte[] blanks = " ".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write("{\"share\":\"blank\",\"sequence\":1,\"entries\":[".getBytes(StandardCharsets.UTF_8));
            while (release.getCount() > 0) {
                out.write(blanks);
            }
        } catch (IOException gone) {
            // the client went away: what the test wants
        }
    }

    private static void answer(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** A poll held as a server holds it while nothing changes, here until the test ends. */
    private void hold(HttpExchange exchange) throws IOException {
        polled.countDown();
        try {
            release.await();
        } catch (InterruptedException e) {
            // the server stops
        }
        exchange.close();
    }

    private ShareClient client(String share) {
        return new ShareClient("http://127.0.0.1:" + server.getAddress().getPort() + "/shares/" + share, null, "t", null, r -> { })
                .stallTimeout(STALL);
    }

    @Test
    void aListingThatGoesSilentFails() {
        assertTimeoutPreemptively(BOUND, () -> assertThatThrownBy(() -> client("silent").listing(false))
                .isInstanceOf(IOException.class).hasMessageContaining("listing").hasMessageContaining("sent nothing"));
    }

    @Test
    void aChecksumListingThatGoesSilentFailsWithinTheStallTimeout() {
        assertTimeoutPreemptively(BOUND, () -> assertThatThrownBy(() -> client("silent").listing(true))
                .isInstanceOf(IOException.class).hasMessageContaining("listing").hasMessageContaining("sent nothing"));
    }

    @Test
    void aPollWhoseAnswerGoesSilentFails() {
        assertTimeoutPreemptively(BOUND, () -> assertThatThrownBy(() -> client("silent").events(0, Duration.ofSeconds(1)))
                .isInstanceOf(IOException.class).hasMessageContaining("changes").hasMessageContaining("sent nothing"));
    }

    @Test
    void aListingThatDripsFails() {
        assertTimeoutPreemptively(BOUND, () -> assertThatThrownBy(() -> client("drip").listing(false))
                .isInstanceOf(IOException.class).hasMessageContaining("bytes/s"));
    }

    @Test
    void aPollWhoseAnswerDripsFails() {
        assertTimeoutPreemptively(BOUND, () -> assertThatThrownBy(() -> client("drip").events(0, Duration.ofSeconds(1)))
                .isInstanceOf(IOException.class).hasMessageContaining("bytes/s"));
    }

    /**
     * A file larger than a bundle is fetched alone; one that drips fails as broken off (tried again from where it
     * stopped, three times) instead of taking its size at a byte a tenth of a second: it had no rate to keep.
     */
    @Test
    void aFileThatDripsFails() {
        io.caravan.sync.SyncEntry big = new io.caravan.sync.SyncEntry("big.bin", io.caravan.sync.SyncEntry.Type.FILE, BIG,
                0, 0644, null, null);
        assertTimeoutPreemptively(BOUND.multipliedBy(2), () -> assertThatThrownBy(() -> client("drip").fetch(big,
                OutputStream.nullOutputStream())).isInstanceOf(IOException.class).hasMessageContaining("bytes/s"));
    }

    /**
     * A server that drips the head of its answer (a header line every 100 ms, never the blank line that ends it)
     * fails the listing by the head's deadline: the read timeout never fired, so it held the follower for good.
     */
    @Test
    void aListingWhoseHeadDripsFails() throws Exception {
        try (java.net.ServerSocket raw = new java.net.ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
            threads.execute(() -> {
                try (java.net.Socket socket = raw.accept(); OutputStream out = socket.getOutputStream()) {
                    socket.getInputStream().read(new byte[8192]);
                    out.write("HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    while (!release.await(100, TimeUnit.MILLISECONDS)) {
                        out.write("X-Slow: a\r\n".getBytes(StandardCharsets.ISO_8859_1));
                        out.flush();
                    }
                } catch (IOException | InterruptedException gone) {
                    // the client went away
                }
            });
            ShareClient client = new ShareClient("http://127.0.0.1:" + raw.getLocalPort() + "/shares/slow", null, "t", null,
                    r -> { }).stallTimeout(STALL);
            assertTimeoutPreemptively(BOUND, () -> assertThatThrownBy(() -> client.listing(false))
                    .isInstanceOf(IOException.class).hasMessageContaining("head of its answer"));
        }
    }

    /**
     * A listing is read up to the bytes its most entries may take (and the whitespace a server hashing files
     * sends meanwhile): one of endless whitespace at full speed is refused, where it kept a core busy for good.
     */
    @Test
    void aListingOfEndlessWhitespaceIsRefused() {
        ShareClient client = new ShareClient("http://127.0.0.1:" + server.getAddress().getPort() + "/shares/blank", null, "t",
                null, r -> { }, 100).stallTimeout(STALL);
        assertTimeoutPreemptively(BOUND, () -> assertThatThrownBy(() -> client.listing(false))
                .isInstanceOf(IOException.class).hasMessageContaining("bytes"));
    }

    /**
     * A listing of many entries the follower refuses says the first of them and how many more there were: 500
     * refused names printed 500 lines (a hostile server's endless listing, 158,000 lines and 107 MB of output).
     */
    @Test
    void aListingOfManyRefusedEntriesSaysTheFirstAndCountsTheRest() throws Exception {
        java.util.List<String> said = new java.util.concurrent.CopyOnWriteArrayList<>();
        ShareClient client = new ShareClient("http://127.0.0.1:" + server.getAddress().getPort() + "/shares/refused", null, "t",
                null, said::add).stallTimeout(STALL);

        ShareLog.Listing listing = client.listing(false);

        assertThat(listing.entries()).containsOnlyKeys("ok");
        assertThat(said).hasSizeLessThanOrEqualTo(ShareClient.REFUSALS_SAID + 1);
        assertThat(said.get(said.size() - 1)).contains((500 - ShareClient.REFUSALS_SAID) + " more");
    }

    /**
     * Whitespace sent at a pace above the minimum rate but far above a hashing server's keep-alive (4 KiB a
     * second) ends the listing too, once it passes what the time allows: at 64 KiB a second allowed, 60 KiB a
     * second held a follower for good.
     */
    @Test
    void aListingOfPacedWhitespaceIsRefused() {
        ShareClient client = new ShareClient("http://127.0.0.1:" + server.getAddress().getPort() + "/shares/paced", null, "t",
                null, r -> { }, 100).stallTimeout(STALL);
        assertTimeoutPreemptively(Duration.ofSeconds(150), () -> assertThatThrownBy(() -> client.listing(false))
                .isInstanceOf(IOException.class).hasMessageContaining("keep-alive whitespace"));
    }

    @Test
    void aFollowerParkedInAHeldPollStopsAtOnce() throws Exception {
        try (Followers followers = new Followers()) {
            Followers.Running one = followers.start("http://127.0.0.1:" + server.getAddress().getPort() + "/shares/held",
                    tmp.resolve("mirror"));
            assertThat(polled.await(10, TimeUnit.SECONDS)).as(one.output()).isTrue();
            Thread.sleep(300); // parked in the poll
            long t0 = System.nanoTime();
            one.follower().close();
            one.thread().join(5000);
            assertThat(one.thread().isAlive()).as("still polling after close: " + one.output()).isFalse();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
        }
    }
}
