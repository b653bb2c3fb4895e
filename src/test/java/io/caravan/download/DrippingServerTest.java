package io.caravan.download;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.fs.Versions;
import io.caravan.pack.ChunkInfo;
import io.caravan.pack.Manifest;
import io.caravan.progress.ProgressListener;
import io.caravan.sender.Retry;
import io.caravan.sender.ShipException;
import io.caravan.unpack.OnConflict;
import io.caravan.util.Sha256;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server that drips its answer (a byte every 100 ms, never silent long enough for a read to time
 * out) fails the download once the answer falls below the minimum rate, like a connection that broke
 * off: it is tried again, then the download ends with a message naming what was too slow.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DrippingServerTest {

    @TempDir
    Path tmp;
    private ServerSocket server;
    private final AtomicInteger requests = new AtomicInteger();

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aDrippingManifestFailsWithinTheMinimumRateWindow() throws Exception {
        serve(path -> null);

        long start = System.nanoTime();
        assertThatThrownBy(() -> download("slow"))
                .isInstanceOf(ShipException.class)
                .hasMessageContaining("/parcels/manifest?name=slow")
                .hasMessageContaining("bytes/s")
                .hasMessageContaining("(after 2 attempts)");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
        assertThat(requests.get()).isEqualTo(2);
    }

    @Test
    void aDrippingChunkFailsWithinTheMinimumRateWindow() throws Exception {
        byte[] content = new byte[100_000];
        Manifest manifest = new Manifest(Manifest.VERSION, Manifest.FORMAT, "slow", "none", null, content.length, 1,
                content.length, Sha256.of(content, 0, content.length), 1L, (long) content.length, "2026-01-01T00:00:00Z",
                List.of(new ChunkInfo(0, content.length, Sha256.of(content, 0, content.length))),
                new Manifest.FileFacts("slow", 0644, "2026-01-01T00:00:00Z"));
        serve(path -> path.startsWith("/parcels/manifest") ? manifest.toJson().getBytes(StandardCharsets.UTF_8) : null);

        long start = System.nanoTime();
        assertThatThrownBy(() -> download("slow"))
                .isInstanceOf(RuntimeException.class)
                .hasMessageContaining("/parcels/chunks/0?name=slow")
                .hasMessageContaining("bytes/s");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
    }

    /**
     * A server that drips the head of its answer (a header line every 100 ms, never the blank line that ends
     * it) fails the request once the read timeout and the rate window have passed, as a broken connection:
     * before, the client waited for the head for as long as the server went on (the per-read timeout never fired).
     */
    @Test
    void aDrippingHeadFailsByItsDeadline() throws Exception {
        dripHead = true;
        serve(path -> null);

        long start = System.nanoTime();
        assertThatThrownBy(() -> download("slow", Duration.ofSeconds(2)))
                .isInstanceOf(ShipException.class)
                .hasMessageContaining("/parcels/manifest?name=slow")
                .hasMessageContaining("head of its answer")
                .hasMessageContaining("(after 2 attempts)");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        assertThat(requests.get()).isEqualTo(2);
    }

    /** Whether the server drips its answer's head rather than its body. */
    private volatile boolean dripHead;

    /**
     * Answers each request with the body {@code answers} gives for its path, or, when it gives null,
     * announces 100000 bytes and sends one every 100 ms, each flushed, until the client hangs up.
     */
    private void serve(Function<String, byte[]> answers) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    Thread answer = new Thread(() -> answer(socket, answers));
                    answer.setDaemon(true);
                    answer.start();
                } catch (IOException closed) {
                    return;
                }
            }
        });
        accept.setDaemon(true);
        accept.start();
    }

    private void answer(Socket socket, Function<String, byte[]> answers) {
        try (socket) {
            BufferedReader request = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            String path = request.readLine().split(" ")[1];
            while (!request.readLine().isEmpty()) {
                // headers
            }
            requests.incrementAndGet();
            byte[] body = answers.apply(path);
            OutputStream out = socket.getOutputStream();
            if (dripHead) {
                out.write("HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.ISO_8859_1));
                for (int i = 0; i < 100_000; i++) {
                    out.write("X-Slow: a\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    Thread.sleep(100);
                }
                return;
            }
            out.write(("HTTP/1.1 200 OK\r\nETag: \"slow\"\r\nConnection: close\r\nContent-Length: "
                    + (body == null ? 100_000 : body.length) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) {
                out.write(body);
                return;
            }
            for (int i = 0; i < 100_000; i++) {
                out.write(' ');
                out.flush();
                Thread.sleep(100);
            }
        } catch (IOException | InterruptedException hungUp) {
            // expected
        }
    }

    private void download(String name) throws Exception {
        download(name, Duration.ofMinutes(5));
    }

    private void download(String name, Duration readTimeout) throws Exception {
        CatalogClient client = new CatalogClient("http://127.0.0.1:" + server.getLocalPort(), null,
                readTimeout).minimumRate(100, Duration.ofSeconds(2));
        Path local = tmp.resolve("local");
        new ParcelDownload(new ParcelDownload.Settings(client, name, local, ParcelDownload.defaultStateDir(local, name), 1,
                OnConflict.MERGE, false, false, 0, Versions.none(),
                new Retry(2, Duration.ofMillis(10), Duration.ofMillis(10)))).run(ProgressListener.NONE);
    }
}
