package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A receiver with a 64 MiB heap, exiting when the heap runs out as the launcher's {@code serve} does, and a
 * token holder churning share long polls: many clients in parallel each open
 * {@code GET /shares/s1/events?since=N&timeout=25} and hang up at once, a made-up follower id each time. The
 * connections it holds by default are bounded by what its heap holds, not only by the descriptors it may
 * open, so it lives through the churn and {@code /health} is answered all along (within the probe's 10 s
 * on this loaded machine; seconds at most). With the descriptors' bound alone (10,000 at {@code ulimit -n}
 * 20,000) the heap filled with connections being set up and the receiver exited within seconds.
 */
class SharePollChurnInSmallHeapIT {

    private static final String TOKEN = "T0k3n";
    private static final int CLIENTS = 6;
    private static final long CHURN_MILLIS = 8_000;

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    @Test
    void healthIsAnsweredWhileTokenHoldersChurnPolls() throws Exception {
        int port = E2e.freePort();
        Path shared = Files.createDirectories(dir.resolve("shared"));
        Files.writeString(shared.resolve("a.txt"), "a\n");
        CaravanProcess serve = processes.start(dir, "serve", List.of("-Xmx64m", "-XX:+ExitOnOutOfMemoryError"),
                "serve", "--port", String.valueOf(port), "--root", dir.resolve("inbox").toString(), "--token", TOKEN,
                "--share", "s1=" + shared).awaitHttpReady(port);

        AtomicBoolean churning = new AtomicBoolean(true);
        AtomicInteger sent = new AtomicInteger();
        List<Thread> clients = new ArrayList<>();
        for (int k = 0; k < CLIENTS; k++) {
            int client = k;
            Thread thread = new Thread(() -> {
                for (int i = 0; churning.get(); i++) {
                    try (Socket socket = new Socket()) {
                        socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
                        OutputStream out = socket.getOutputStream();
                        out.write(("GET /shares/s1/events?since=0&timeout=25 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                                + TOKEN + "\r\nX-Caravan-Follower: f" + client + "-" + i + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        sent.incrementAndGet();
                    } catch (IOException refusedOrReset) {
                        // the receiver could not take it now: the churn goes on
                    }
                }
            }, "churn-" + k);
            thread.setDaemon(true);
            thread.start();
            clients.add(thread);
        }
        List<String> probes = new CopyOnWriteArrayList<>();
        long start = System.nanoTime();
        try {
            while (System.nanoTime() - start < CHURN_MILLIS * 1_000_000) {
                long asked = System.nanoTime();
                int status = CaravanProcess.status(port, "/health"); // -1 when unanswered within 10 s
                if (status == -1 && System.nanoTime() - asked < 9_000_000_000L) {
                    // closed unanswered: past max-connections the receiver closes the connection it has the least of
                    // a request from, which can be a probe not read yet; a client asks again, and so does this one once
                    status = CaravanProcess.status(port, "/health");
                }
                probes.add(status + " in " + (System.nanoTime() - asked) / 1_000_000 + " ms");
                Thread.sleep(500);
            }
        } finally {
            churning.set(false);
            for (Thread thread : clients) {
                thread.join(10_000);
            }
        }
        System.out.printf("%d polls sent and hung up in %d s; /health: %s%n", sent.get(), CHURN_MILLIS / 1000, probes);

        assertThat(sent.get()).as("polls sent and hung up").isGreaterThan(2_000);
        assertThat(serve.isAlive()).as("receiver alive after the churn:\n%s", serve.log()).isTrue();
        assertThat(probes).as("/health while the churn lasted").allMatch(probe -> probe.startsWith("200 "));
        assertThat(serve.log()).doesNotContain("OutOfMemoryError");
    }
}
