package io.caravan.sender;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.caravan.CliRunner;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A receiver that answers with a redirect does not send the parcel (or its token) anywhere else: the
 * sender goes only where it was told (--to) and says what it was answered.
 */
class RedirectingReceiverTest {

    @TempDir
    Path tmp;
    HttpServer redirecting;
    HttpServer elsewhere;
    final AtomicInteger reachedElsewhere = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        elsewhere = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        elsewhere.createContext("/", exchange -> {
            reachedElsewhere.incrementAndGet();
            exchange.sendResponseHeaders(500, -1);
            exchange.close();
        });
        elsewhere.start();
        redirecting = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        redirecting.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().set("Location", "http://127.0.0.1:" + elsewhere.getAddress().getPort()
                    + exchange.getRequestURI());
            exchange.sendResponseHeaders(307, -1);
            exchange.close();
        });
        redirecting.start();
    }

    @AfterEach
    void stop() {
        redirecting.stop(0);
        elsewhere.stop(0);
    }

    @Test
    void aRedirectIsNotFollowed() throws Exception {
        Path file = Files.writeString(tmp.resolve("a.txt"), "secret content");

        CliRunner.Result sent = CliRunner.run("send", file.toString(), "--to", "http://127.0.0.1:" + redirecting.getAddress().getPort(),
                "--token", "t0ken", "--state-dir", tmp.resolve("state").toString());

        assertThat(sent.exitCode()).isNotZero();
        assertThat(sent.err()).contains("307");
        assertThat(reachedElsewhere).hasValue(0);
    }
}
