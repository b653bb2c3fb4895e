package io.caravan.sender;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.util.HttpConnections;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link OpenRequests} against a server on 127.0.0.1 that reads requests and never answers: an aborted
 * request ends within moments whatever it was doing when the abort came, though HttpURLConnection ignores
 * interrupts and a single disconnect can miss it.
 */
class OpenRequestsTest {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final SilentServer server = new SilentServer();

    OpenRequestsTest() throws IOException {
    }

    @AfterEach
    void close() throws IOException {
        server.close();
        timer.shutdownNow();
    }

    /** A disconnect before the connection connects does nothing: the request then waited for the read timeout. */
    @Test
    void aRequestAbortedBeforeItConnectsEndsOnceItWaitsForItsAnswer() throws Exception {
        OpenRequests requests = new OpenRequests(timer);
        HttpURLConnection connection = HttpConnections.open("http://127.0.0.1:" + server.port() + "/status/x", null,
                Duration.ofSeconds(60), null);
        requests.enter(connection);
        requests.abort();

        CompletableFuture<Object> answer = CompletableFuture.supplyAsync(() -> {
            try {
                return connection.getResponseCode();
            } catch (IOException | RuntimeException e) {
                return e;
            } finally {
                requests.leave(connection);
            }
        });

        Object ended = answer.get(5, TimeUnit.SECONDS);
        assertThat(ended).as("what the request ended with").isInstanceOf(Exception.class);
    }

    /** Accepts connections on 127.0.0.1, reads what comes and never answers. */
    private static final class SilentServer implements AutoCloseable {
        private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());

        SilentServer() throws IOException {
            Thread accept = new Thread(() -> {
                try {
                    while (true) {
                        Socket client = socket.accept();
                        Thread read = new Thread(() -> drain(client), "silent-server-read");
                        read.setDaemon(true);
                        read.start();
                    }
                } catch (IOException e) {
                    // closed
                }
            }, "silent-server");
            accept.setDaemon(true);
            accept.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        private static void drain(Socket client) {
            try (client; InputStream in = client.getInputStream(); OutputStream ignored = client.getOutputStream()) {
                in.transferTo(OutputStream.nullOutputStream());
            } catch (IOException e) {
                // the client closed
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
