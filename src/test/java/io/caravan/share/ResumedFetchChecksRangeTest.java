package io.caravan.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.caravan.sync.SyncEntry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A file fetch cut short is resumed with {@code Range: bytes=N-}; the server's answer is taken only
 * when it is the part asked for: a {@code 206} whose {@code Content-Range} starts elsewhere (or names
 * no start) ends the fetch with a clear reason instead of being appended after the first part (which
 * would give a file of the listed size with the wrong bytes).
 */
class ResumedFetchChecksRangeTest {

    static final byte[] CONTENT = ("A".repeat(50) + "B".repeat(50)).getBytes(StandardCharsets.US_ASCII);
    HttpServer server;
    final AtomicInteger asked = new AtomicInteger();

    @AfterEach
    void stop() {
        server.stop(0);
    }

    /** A server that cuts the first answer after 50 bytes and answers the resume with {@code contentRange} and {@code body}. */
    private ShareClient serving(String contentRange, byte[] body) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/shares/s/files", x -> {
            if (asked.incrementAndGet() == 1) {
                x.sendResponseHeaders(200, CONTENT.length);
                OutputStream out = x.getResponseBody();
                out.write(CONTENT, 0, 50);
                out.flush();
                x.close();
                return;
            }
            x.getResponseHeaders().set("Content-Range", contentRange);
            x.sendResponseHeaders(206, body.length);
            try (OutputStream out = x.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        List<String> refused = new CopyOnWriteArrayList<>();
        return new ShareClient("http://127.0.0.1:" + server.getAddress().getPort() + "/shares/s", null, "t", null, refused::add);
    }

    private static SyncEntry entry() {
        return new SyncEntry("f.bin", SyncEntry.Type.FILE, CONTENT.length, 2_000_000_000_000L, 0644, null, null);
    }

    @Test
    void theRightPartIsAppended() throws Exception {
        ShareClient client = serving("bytes 50-99/100", "B".repeat(50).getBytes(StandardCharsets.US_ASCII));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        client.fetch(entry(), out);
        assertThat(out.toByteArray()).isEqualTo(CONTENT);
        assertThat(asked).hasValue(2);
    }

    @Test
    void aPartFromElsewhereIsRefused() throws Exception {
        ShareClient client = serving("bytes 0-49/100", "X".repeat(50).getBytes(StandardCharsets.US_ASCII));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThatThrownBy(() -> client.fetch(entry(), out)).isInstanceOf(IOException.class)
                .hasMessageContaining("f.bin").hasMessageContaining("bytes 50-");
        assertThat(new String(out.toByteArray(), StandardCharsets.US_ASCII)).doesNotContain("X");
    }

    @Test
    void aPartWithoutARangeIsRefused() throws Exception {
        ShareClient client = serving("nonsense", "B".repeat(50).getBytes(StandardCharsets.US_ASCII));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThatThrownBy(() -> client.fetch(entry(), out)).isInstanceOf(IOException.class).hasMessageContaining("f.bin");
        assertThat(out.size()).isEqualTo(50);
    }
}
