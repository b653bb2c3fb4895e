package io.caravan.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.caravan.sync.SyncEntry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A file transfer cut short is continued from where it stopped with a {@code Range} request, not
 * fetched again from the start; a file whose ETag changed between the two is refused, not spliced.
 */
class FetchResumesTest {

    private static final byte[] CONTENT = new byte[300_000];
    private HttpServer server;

    static {
        new Random(5).nextBytes(CONTENT);
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String serve(AtomicInteger requests, boolean changeEtag) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/shares/site/files", exchange -> {
            int n = requests.incrementAndGet();
            String range = exchange.getRequestHeaders().getFirst("Range");
            exchange.getResponseHeaders().set("ETag", changeEtag && n > 1 ? "\"other\"" : "\"one\"");
            try (OutputStream out = exchange.getResponseBody()) {
                if (range == null) {
                    exchange.sendResponseHeaders(200, CONTENT.length);
                    out.write(CONTENT, 0, 100_000); // then the connection is cut
                    out.flush();
                    exchange.getHttpContext().getServer(); // no more
                    throw new IOException("cut");
                }
                int from = Integer.parseInt(range.replace("bytes=", "").replace("-", ""));
                exchange.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (CONTENT.length - 1) + "/" + CONTENT.length);
                exchange.sendResponseHeaders(206, CONTENT.length - from);
                out.write(CONTENT, from, CONTENT.length - from);
            }
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/shares/site";
    }

    private static SyncEntry entry() {
        return new SyncEntry("big.bin", SyncEntry.Type.FILE, CONTENT.length, 1000, 0644, null, null);
    }

    @Test
    void aCutTransferContinuesFromWhereItStopped() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        ShareClient client = new ShareClient(serve(requests, false), null, "t", null, r -> { });
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        client.fetch(entry(), out);
        assertThat(out.toByteArray()).isEqualTo(CONTENT);
        assertThat(requests.get()).isEqualTo(2);
    }

    @Test
    void aFileThatChangedMeanwhileIsNotSpliced() throws Exception {
        ShareClient client = new ShareClient(serve(new AtomicInteger(), true), null, "t", null, r -> { });
        assertThatThrownBy(() -> client.fetch(entry(), new ByteArrayOutputStream())).hasMessageContaining("changed on the server");
    }
}
