package io.caravan.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.caravan.sync.SyncEntry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A server whose answers never end (a listing of endless entries, a change log of endless events, a
 * file that goes on past the size it listed) cannot make a follower hold or write more than a bound:
 * each is refused with a message naming the answer and the bound, promptly.
 */
class EndlessShareServerTest {

    HttpServer server;
    ExecutorService threads = Executors.newCachedThreadPool();
    final AtomicLong served = new AtomicLong();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(threads);
        server.createContext("/shares/endless/listing", x -> endless(x, "{\"share\":\"endless\",\"sequence\":1,\"entries\":[",
                "{\"path\":\"d\",\"type\":\"dir\"},"));
        server.createContext("/shares/endless/events", x -> endless(x, "{\"share\":\"endless\",\"latest\":2,\"events\":[",
                "{\"seq\":2,\"type\":\"DELETE\",\"path\":\"x\"},"));
        server.createContext("/shares/endless/files", x -> endless(x, "", "x".repeat(1000)));
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
        threads.shutdownNow();
    }

    /** Writes {@code head} and then {@code piece} again and again until the client goes away. */
    private void endless(HttpExchange exchange, String head, String piece) throws IOException {
        exchange.sendResponseHeaders(200, 0);
        byte[] bytes = piece.repeat(64).getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(head.getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < 10_000_000; i++) {
                out.write(bytes);
                served.addAndGet(bytes.length);
            }
        } catch (IOException gone) {
            // the client stopped reading: what the test wants
        }
    }

    private ShareClient client() {
        return new ShareClient("http://127.0.0.1:" + server.getAddress().getPort() + "/shares/endless", null, "t", null, r -> { });
    }

    @Test
    void anEndlessListingIsRefusedAtItsBound() {
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> client().listing(false)).isInstanceOf(ShareClient.ShareRefusedException.class)
                .hasMessageContaining("listing").hasMessageContaining("more than");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(60));
    }

    @Test
    void endlessEventsAreRefusedAtTheirBound() {
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> client().events(1, Duration.ofSeconds(1))).isInstanceOf(IOException.class)
                .hasMessageContaining("changes").hasMessageContaining("more than");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));
    }

    @Test
    void aFileLongerThanListedIsRefusedAfterItsSize() {
        SyncEntry small = new SyncEntry("small.txt", SyncEntry.Type.FILE, 5000, 1000, 0644, null, null);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThatThrownBy(() -> client().fetch(small, out)).isInstanceOf(IOException.class)
                .hasMessageContaining("small.txt").hasMessageContaining("5000");
        assertThat(out.size()).isLessThanOrEqualTo(5000);
    }
}
