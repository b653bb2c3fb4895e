package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The checks of a listener's bounds ({@link ConnectionLimit}, the head timeout of {@link ConnectionWatch})
 * that the receiver's and a sender's console's tests share, over raw sockets to 127.0.0.1.
 */
public final class ListenerBoundChecks {

    private ListenerBoundChecks() {
    }

    /** A head of {@code path} never sent whole gets 408 naming {@code setting}, about a head timeout of 2 s after its first byte. */
    public static void headTimesOut(int port, String path, String setting) throws IOException {
        try (Socket socket = RawSockets.open(port)) {
            RawSockets.write(socket, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a");
            long t0 = System.nanoTime();
            RawAnswer answer = RawAnswer.read(socket.getInputStream());
            assertThat(answer.statusLine()).startsWith("HTTP/1.1 408");
            assertThat(answer.body()).contains(setting);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(8));
        }
    }

    /**
     * With {@code max} connections waiting for a whole request of {@code path}, {@code served} (a request
     * that must get 200) closes the one that waited longest at once.
     */
    public static void pastTheBoundTheOldestWaitingIsClosed(int port, String path, int max, Callable<Integer> served)
            throws Exception {
        List<Socket> waiting = new ArrayList<>();
        try {
            for (int i = 0; i < max; i++) {
                Socket socket = RawSockets.open(port);
                RawSockets.write(socket, "GET " + path + " HTTP/1.1\r\nX: ");
                waiting.add(socket);
                Thread.sleep(50);
            }
            assertThat(served.call()).isEqualTo(200);
            long t0 = System.nanoTime();
            assertThat(waiting.get(0).getInputStream().read()).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
        } finally {
            for (Socket socket : waiting) {
                socket.close();
            }
        }
    }
}
