package io.caravan.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.LoggedWarnings;
import io.caravan.TestTrees;
import io.caravan.receiver.ReceiverFixture;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that asks for an answer and then never reads it loses it once its connection has taken
 * no byte for {@code caravan.catalog.stall-timeout}: the connection is closed and the file the answer
 * was read from is let go (published files, ranges, chunks, share files and bundles, archives), and a
 * listing's writer thread is free again. A client that reads slowly but steadily, for far longer than
 * the stall timeout, gets the whole answer.
 */
class StalledAnswerReadersTest {

    private static final Duration STALL = Duration.ofSeconds(2);
    /** How long after the stall timeout the connection must be closed at the latest. */
    private static final Duration MARGIN = Duration.ofSeconds(8);
    private static final int BIG = 24 << 20;

    @TempDir
    static Path tmp;
    static ReceiverFixture receiver;
    static Path published;
    static Path shared;
    static Path small;

    @BeforeAll
    static void start() throws Exception {
        Path site = Files.createDirectories(tmp.resolve("site"));
        shared = site.resolve("big.bin");
        TestTrees.random(shared, BIG, 3);
        small = site.resolve("small.bin");
        TestTrees.random(small, 1 << 20, 4);
        Path many = Files.createDirectories(site.resolve("many"));
        String padding = "x".repeat(60);
        for (int i = 0; i < 30_000; i++) {
            Files.createFile(many.resolve("entry-" + i + "-" + padding));
        }
        receiver = new ReceiverFixture(tmp.resolve("inbox"), Map.of(
                "caravan.shares.site", site.toString(),
                "caravan.catalog.chunk-size", "16MiB",
                "caravan.catalog.stall-timeout", STALL.toSeconds() + "s",
                "caravan.receiver.listing-threads", "1",
                "caravan.receiver.archive-threads", "1"));
        Path docs = Files.createDirectories(tmp.resolve("src/docs"));
        TestTrees.random(docs.resolve("data.bin"), BIG, 5);
        CatalogFixture.send(receiver, docs, "docs", "none", tmp.resolve("state"), null);
        published = receiver.inbox().resolve("docs/data.bin").toRealPath();
    }

    @AfterAll
    static void stop() throws Exception {
        receiver.close();
    }

    @Test
    void aPublishedFileIsLetGoAndTheLogSaysWhose() throws Exception {
        try (LoggedWarnings warnings = new LoggedWarnings()) {
            int port = assertStalledClientIsCut(get("/files?path=docs/data.bin"), published, 4096);
            assertThat(warnings.containing("answer to 'GET /files?path=docs/data.bin' broken off: its client /127.0.0.1:"
                    + port + " took no byte of it for 2000 ms")).singleElement().asString()
                    .containsPattern("about \\d+ bytes of its body sent").contains("caravan.catalog.stall-timeout");
        }
    }

    @Test
    void aRangeIsLetGo() throws Exception {
        assertStalledClientIsCut(get("/files?path=docs/data.bin", "Range: bytes=1000-"), published, 4096);
    }

    @Test
    void aChunkIsLetGo() throws Exception {
        assertThat(receiver.get("/parcels/chunks/0?name=docs").statusCode()).isEqualTo(200); // built into the cache
        Path cached = tmp.resolve("inbox/.caravan/catalog/cache").toRealPath();
        assertStalledClientIsCut(get("/parcels/chunks/0?name=docs"), cached, 4096);
    }

    @Test
    void aShareFileIsLetGo() throws Exception {
        assertStalledClientIsCut(get("/shares/site/files?path=big.bin"), shared.toRealPath(), 4096);
    }

    @Test
    void aShareBundleIsLetGo() throws Exception {
        String body = "{\"paths\":[" + String.join(",", java.util.Collections.nCopies(24, "\"small.bin\"")) + "]}";
        String request = "POST /shares/site/files HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length() + "\r\n\r\n" + body;
        assertStalledClientIsCut(request, small.toRealPath(), 4096);
    }

    @Test
    void anArchiveIsLetGoAndItsThreadFreed() throws Exception {
        assertStalledClientIsCut(get("/parcels/zip?name=docs"), published, 4096);
        Awaitility.await("the archive thread is free again").atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(200)).until(StalledAnswerReadersTest::zipAnswered);
    }

    @Test
    void aListingsThreadIsFreed() throws Exception {
        long started = System.nanoTime();
        try (Socket socket = stalledClient(get("/shares/site/listing"), 4096)) {
            Awaitility.await("the only listing thread serves the client that reads nothing")
                    .atMost(Duration.ofSeconds(10)).until(() -> receiver.get("/shares/site/listing").statusCode() == 503);
            Awaitility.await("a listing answered once the stalled one is cut").atMost(STALL.plus(MARGIN))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> receiver.get("/shares/site/listing").statusCode() == 200);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(STALL);
            assertClosed(socket);
        }
    }

    @Test
    void aClientWithALargeReceiveBufferIsCutToo() throws Exception {
        assertStalledClientIsCut(get("/files?path=docs/data.bin"), published, 4 << 20);
    }

    @Test
    void aSlowSteadyReaderGetsTheWholeAnswer() throws Exception {
        // 40 reads of 256 KiB, 160 ms apart: over three stall timeouts in all, under a tenth of one between reads, and
        // more than the kernel's buffers hold, so that the receiver's own buffer waits for the client throughout
        int length = 10 << 20;
        try (Socket socket = stalledClient(get("/files?path=docs/data.bin", "Range: bytes=0-" + (length - 1)), 4096)) {
            socket.setSoTimeout(30_000);
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            assertThat(head).startsWith("HTTP/1.1 206");
            byte[] body = new byte[length];
            long started = System.nanoTime();
            for (int done = 0; done < length; ) {
                int read = in.readNBytes(body, done, Math.min(256 * 1024, length - done));
                assertThat(read).as("bytes before the end").isPositive();
                done += read;
                Thread.sleep(160);
            }
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThan(STALL.multipliedBy(3));
            byte[] expected = Arrays.copyOf(Files.readAllBytes(published), length);
            assertThat(body).isEqualTo(expected);
        }
    }

    /**
     * Sends {@code request}, reads nothing, and expects the connection closed and {@code file} let go in time;
     * returns the client's port.
     */
    private static int assertStalledClientIsCut(String request, Path file, int receiveBuffer) throws Exception {
        long started = System.nanoTime();
        try (Socket socket = stalledClient(request, receiveBuffer)) {
            Awaitility.await("the answer holds " + file + " open").atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(20)).until(() -> openCount(file) > 0);
            Awaitility.await("the stalled answer lets " + file + " go").atMost(STALL.plus(MARGIN))
                    .pollInterval(Duration.ofMillis(100)).until(() -> openCount(file) == 0);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("not cut before the stall timeout")
                    .isGreaterThanOrEqualTo(STALL);
            assertClosed(socket);
            return socket.getLocalPort();
        }
    }

    private static Socket stalledClient(String request, int receiveBuffer) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(receiveBuffer);
        socket.connect(new InetSocketAddress("127.0.0.1", receiver.port()), 5000);
        OutputStream out = socket.getOutputStream();
        out.write(request.getBytes(StandardCharsets.UTF_8));
        out.flush();
        return socket; // and nothing read
    }

    private static String get(String path, String... headers) {
        return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + String.join("", Stream.of(headers).map(h -> h + "\r\n")
                .toList()) + "\r\n";
    }

    /** The connection ends (closed or reset) once what was sent before is read: it does not just stay open. */
    private static void assertClosed(Socket socket) throws IOException {
        socket.setSoTimeout(5_000);
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[256 * 1024];
        try {
            while (in.read(buffer) >= 0) {
                // what was sent before the connection was closed
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the receiver left the stalled connection open", e);
        } catch (IOException reset) {
            // closed with bytes unread: as good
        }
    }

    private static boolean zipAnswered() throws Exception {
        try (Socket socket = stalledClient(get("/parcels/zip?name=docs"), 64 * 1024)) {
            socket.setSoTimeout(5_000);
            return readHead(socket.getInputStream()).startsWith("HTTP/1.1 200");
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        return head.toString();
    }

    /** How many of this process's descriptors are open on {@code file}, or on a file below it when it is a folder. */
    private static long openCount(Path file) throws IOException {
        long count = 0;
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    if (Files.readSymbolicLink(fd).startsWith(file) && !Files.isDirectory(fd)) {
                        count++;
                    }
                } catch (IOException gone) {
                    // closed meanwhile
                }
            }
        }
        return count;
    }
}
