package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pulling receiver with a small heap whose remote serves a manifest of 31 MB (under the 32 MiB a
 * manifest may have, more than this heap holds while it is read): the pass runs out of memory, which is
 * said in one line of the log (no stack trace, no Camel error handler), and the receiver goes on serving.
 */
class PullOutOfMemoryIT {

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    @Test
    void aPassThatRunsOutOfMemoryEndsInOneLine() throws Exception {
        byte[] manifest = new byte[31_000_000];
        Arrays.fill(manifest, (byte) ' ');
        HttpServer remote = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        remote.createContext("/", exchange -> {
            byte[] body = exchange.getRequestURI().getPath().equals("/parcels")
                    ? "{\"parcels\":[{\"name\":\"feeds/big\",\"etag\":\"1\"}],\"next\":null}".getBytes(StandardCharsets.UTF_8)
                    : manifest;
            exchange.getResponseHeaders().set("ETag", "\"1\"");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        remote.start();
        try {
            int port = E2e.freePort();
            CaravanProcess receiver = processes.start(dir, "receiver", List.of("-Xmx72m"), "run", "--role", "receiver",
                    "-Dcaravan.receiver.port=" + port, "-Dcaravan.receiver.inbox=" + dir.resolve("inbox"),
                    "-Dcaravan.pull.from=http://127.0.0.1:" + remote.getAddress().getPort(),
                    "-Dcaravan.pull.cron=0/3 * * * * ?").awaitHttpReady(port);

            await("the pass ran out of memory").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> receiver.log().contains("ran out of memory"));

            String log = receiver.log();
            assertThat(log).contains("pull: the pass from http://127.0.0.1:").doesNotContain("DefaultErrorHandler")
                    .doesNotContain("at io.caravan.");
            assertThat(CaravanProcess.status(port, "/health")).isEqualTo(200);
        } finally {
            remote.stop(0);
        }
    }
}
