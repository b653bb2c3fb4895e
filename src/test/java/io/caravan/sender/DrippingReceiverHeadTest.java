package io.caravan.sender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A receiver that drips the head of its answer (a header line every 100 ms, never the blank line that ends
 * it, so never silent for the read timeout) fails the request by the head's deadline, twice the request's
 * read timeout: before, the sender waited for the head for as long as the receiver went on.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DrippingReceiverHeadTest {

    private final CountDownLatch release = new CountDownLatch(1);
    private ServerSocket server;

    @AfterEach
    void stop() throws IOException {
        release.countDown();
        server.close();
    }

    @Test
    void aStartWhoseAnswerHeadDripsFailsByItsDeadline() throws Exception {
        server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        Thread drip = new Thread(() -> {
            try (Socket socket = server.accept(); OutputStream out = socket.getOutputStream()) {
                socket.getInputStream().read(new byte[8192]);
                out.write("HTTP/1.1 201 Created\r\n".getBytes(StandardCharsets.ISO_8859_1));
                while (!release.await(100, TimeUnit.MILLISECONDS)) {
                    out.write("X-Slow: a\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                }
            } catch (IOException | InterruptedException gone) {
                // the sender hung up
            }
        });
        drip.setDaemon(true);
        drip.start();
        ReceiverClient client = new ReceiverClient("http://127.0.0.1:" + server.getLocalPort(), null, Duration.ofMinutes(5))
                .answerWaits(Duration.ofSeconds(30), Duration.ofSeconds(2));

        long start = System.nanoTime();
        assertThatThrownBy(() -> client.start(Map.of("name", "x"))).hasMessageContaining("head of its answer");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
    }
}
