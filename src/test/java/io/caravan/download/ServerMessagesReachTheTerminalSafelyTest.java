package io.caravan.download;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.sun.net.httpserver.HttpServer;
import io.caravan.share.ShareClient;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server's message reaches the user's terminal and the logs through the client's refusal: a hostile or broken
 * server answering with terminal escapes, carriage returns, new lines or a message of megabytes gets its words
 * shown with every control character escaped and cut to a few hundred characters, for {@code caravan get} and
 * for a follower alike.
 */
class ServerMessagesReachTheTerminalSafelyTest {

    /** Clears the screen, moves the cursor home, forges a line, then goes on for a megabyte. */
    private static final String HOSTILE = "\u001b[2J\u001b[H\rcaravan: published 'x'\nall good " + "z".repeat(1 << 20);

    @TempDir
    Path tmp;
    HttpServer server;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = ("{\"error\":\"gone\",\"message\":\"" + HOSTILE.replace("\u001b", "\\u001b").replace("\r", "\\r")
                    .replace("\n", "\\n") + "\"}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(403, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Test
    void aGetRefusedByAHostileServerShowsItsMessageEscapedAndCut() {
        Throwable refused = catchThrowable(() -> new CatalogClient(url(), null, Duration.ofSeconds(30)).manifest("x", tmp.resolve("m")));

        assertSafe(refused);
    }

    @Test
    void aFollowerRefusedByAHostileServerShowsItsMessageEscapedAndCut() {
        Throwable refused = catchThrowable(() -> new ShareClient(url() + "/shares/s", null, "t", null, why -> { }).listing(false));

        assertSafe(refused);
    }

    private static void assertSafe(Throwable refused) {
        assertThat(refused).isNotNull();
        String message = refused.getMessage();
        assertThat(message).contains("403").contains("\\u001b[2J").contains("all good");
        assertThat(message.chars().filter(Character::isISOControl).count()).as("control characters in %s", message).isZero();
        assertThat(message.length()).isLessThan(1000);
    }
}
