package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The checks of a listener's bounds ({@link ConnectionLimit}, the head timeout of {@link ConnectionWatch})
 * that the receiver's and a sender's console's tests share, over raw sockets to 127.0.0.1.
 */
public final class ListenerBoundChecks {

    /** The head timeout the listeners under these checks are started with. */
    private static final Duration HEAD_TIMEOUT = Duration.ofSeconds(2);

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
     * that must get 200) closes the one that waited longest at once. The listener's head timeout is taken
     * to be 2 s: when the machine is so loaded that {@code served} is answered after it, the oldest may get
     * its 408 first, rightly; the check is then made again, up to three times, and a 408 before that
     * deadline, or any other answer, fails it.
     */
    public static void pastTheBoundTheOldestWaitingIsClosed(int port, String path, int max, Callable<Integer> served)
            throws Exception {
        for (int attempt = 1; ; attempt++) {
            if (oldestClosedWhenServed(port, path, max, served)) {
                return;
            }
            if (attempt == 3) {
                throw new AssertionError("three times the request past the bound was answered after the oldest connection's"
                        + " head deadline of " + HEAD_TIMEOUT + "; the eviction could not be seen");
            }
        }
    }

    /** One try of {@link #pastTheBoundTheOldestWaitingIsClosed}: false when the oldest's head deadline passed first. */
    private static boolean oldestClosedWhenServed(int port, String path, int max, Callable<Integer> served) throws Exception {
        List<Socket> waiting = new ArrayList<>();
        try {
            long firstWritten = 0;
            for (int i = 0; i < max; i++) {
                Socket socket = RawSockets.open(port);
                RawSockets.write(socket, "GET " + path + " HTTP/1.1\r\nX: ");
                if (i == 0) {
                    firstWritten = System.nanoTime();
                }
                waiting.add(socket);
                Thread.sleep(50);
            }
            assertThat(served.call()).isEqualTo(200);
            long t0 = System.nanoTime();
            InputStream oldest = waiting.get(0).getInputStream();
            int first = oldest.read();
            if (first == 'H' && Duration.ofNanos(System.nanoTime() - firstWritten).compareTo(HEAD_TIMEOUT) >= 0) {
                String rest = new String(oldest.readNBytes(12), StandardCharsets.ISO_8859_1);
                assertThat("H" + rest).startsWith("HTTP/1.1 408");
                return false;
            }
            assertThat(first).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
            return true;
        } finally {
            for (Socket socket : waiting) {
                socket.close();
            }
        }
    }
}
