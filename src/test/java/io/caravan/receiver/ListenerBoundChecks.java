package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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
     * With {@code max} connections waiting for a whole request of {@code path}, all counted by {@code limit} (the
     * listener's), a request of {@code path} on a
     * new connection (sent whole at once, {@code Connection: close}) closes the one that waited longest at once
     * and gets 200. The served request always comes on a connection of its own, never on a kept-alive one an
     * HTTP client may hold from earlier requests, so exactly one connection goes past the bound.
     * {@code headTimeout} is the listener's: when the machine is so loaded that the served request is accepted
     * after the oldest's head deadline, the oldest may get its 408 first, rightly; the check is then made again,
     * up to three times, as it is when the listener does not hold exactly the connections the check opened, all
     * waiting (a loaded machine seen to count three of four); a 408 before that deadline, or any other answer, fails it.
     */
    public static void pastTheBoundTheOldestWaitingIsClosed(int port, String path, int max, Duration headTimeout,
                                                           ConnectionLimit limit) throws Exception {
        pastTheBoundTheOldestWaitingIsClosed("127.0.0.1", port, path, max, headTimeout, limit);
    }

    /**
     * {@link #pastTheBoundTheOldestWaitingIsClosed(int, String, int, Duration, ConnectionLimit)} for a listener on
     * {@code host}: a loopback address of the listener's own (127.x.y.z) keeps out any connection not opened by
     * the check, such as another test JVM's client retrying a port it used before, which the listener would count
     * and which would take the oldest's place.
     */
    public static void pastTheBoundTheOldestWaitingIsClosed(String host, int port, String path, int max,
                                                           Duration headTimeout, ConnectionLimit limit) throws Exception {
        List<String> late = new ArrayList<>();
        for (int attempt = 1; ; attempt++) {
            String seen = oldestClosedWhenServed(host, port, path, max, headTimeout, limit);
            if (seen == null) {
                return;
            }
            late.add(seen);
            if (attempt == 3) {
                throw new AssertionError("three times the eviction could not be seen: the listener did not hold exactly the"
                        + " waiting connections, or the oldest got its 408 after its head deadline of " + headTimeout
                        + " before the request past the bound (" + String.join("; ", late) + ")");
            }
        }
    }

    /** Which of {@code sockets} (by their order) the other side has closed, read without waiting. */
    private static List<Integer> closedOnes(List<Socket> sockets) throws IOException {
        List<Integer> closed = new ArrayList<>();
        for (int i = 0; i < sockets.size(); i++) {
            Socket socket = sockets.get(i);
            socket.setSoTimeout(1);
            try {
                if (socket.getInputStream().read() == -1) {
                    closed.add(i);
                }
            } catch (java.net.SocketTimeoutException open) {
                // nothing to read: still open
            } catch (IOException reset) {
                closed.add(i);
            }
        }
        return closed;
    }

    /**
     * One try of {@link #pastTheBoundTheOldestWaitingIsClosed}: null when the oldest was closed for the request
     * past the bound, else what was seen instead: the listener not holding exactly the waiting connections this
     * try opened, or the oldest's head deadline passed first.
     */
    private static String oldestClosedWhenServed(String host, int port, String path, int max, Duration headTimeout, ConnectionLimit limit)
            throws Exception {
        List<Socket> waiting = new ArrayList<>();
        try {
            long firstWritten = 0;
            for (int i = 0; i < max; i++) {
                Socket socket = RawSockets.open(host, port);
                RawSockets.write(socket, "GET " + path + " HTTP/1.1\r\nX: ");
                if (i == 0) {
                    firstWritten = System.nanoTime();
                }
                waiting.add(socket);
                Thread.sleep(50);
            }
            // the listener counts a connection as it accepts it, which a loaded machine may do some time after the
            // client's connect returned: the request past the bound is sent once it holds exactly these, all waiting
            long counting = System.nanoTime();
            while ((limit.live() != max || limit.waiting() != max) && System.nanoTime() - counting < 5_000_000_000L) {
                Thread.sleep(5);
            }
            if (limit.live() != max || limit.waiting() != max) {
                return "the listener held " + limit.live() + " connections, " + limit.waiting() + " waiting, for the " + max
                        + " this check opened (closed by the listener: " + closedOnes(waiting) + ")";
            }
            long served0 = System.nanoTime();
            try (Socket served = RawSockets.open(host, port)) {
                RawSockets.write(served, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
                assertThat(RawAnswer.read(served.getInputStream()).statusLine()).startsWith("HTTP/1.1 200");
            }
            Duration servedIn = Duration.ofNanos(System.nanoTime() - served0);
            long t0 = System.nanoTime();
            InputStream oldest = waiting.get(0).getInputStream();
            int first = oldest.read();
            Duration sinceFirst = Duration.ofNanos(System.nanoTime() - firstWritten);
            if (first == 'H' && sinceFirst.compareTo(headTimeout) >= 0) {
                String rest = new String(oldest.readNBytes(12), StandardCharsets.ISO_8859_1);
                assertThat("H" + rest).startsWith("HTTP/1.1 408");
                return "served in " + servedIn.toMillis() + " ms, the 408 read " + sinceFirst.toMillis() + " ms after the oldest's head";
            }
            assertThat(first).as("the oldest connection, %d ms after its head began, the request past the bound"
                    + " served in %d ms", sinceFirst.toMillis(), servedIn.toMillis()).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
            return null;
        } finally {
            for (Socket socket : waiting) {
                socket.close();
            }
        }
    }
}
