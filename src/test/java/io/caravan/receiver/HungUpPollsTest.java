package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Long polls of a share whose clients hang up are let go at once, with their connections: a client that
 * opens polls and closes them in a loop (each with a follower id of its own) leaves no poll waiting and no
 * socket open on the receiver a moment after it stops, and never makes the receiver hold more connections
 * than {@code caravan.receiver.max-connections} allows (each counted until it is really closed). Polls waiting are bounded per follower (429
 * {@code too_many_polls}) and per share ({@code caravan.share.max-waiting}, 503 {@code busy}), and the
 * followers a share keeps are bounded ({@code caravan.share.max-followers}) whatever ids clients make up.
 */
class HungUpPollsTest {

    private static final int MAX_CONNECTIONS = 64;
    private static final int MAX_WAITING = 16;
    private static final int MAX_FOLLOWERS = 32;

    @TempDir
    static Path tmp;
    static ReceiverFixture receiver;
    static long sequence;

    @BeforeAll
    static void start() throws Exception {
        receiver = new ReceiverFixture(tmp.resolve("inbox"), Map.of(
                "caravan.receiver.max-connections", String.valueOf(MAX_CONNECTIONS),
                "caravan.share.max-waiting", String.valueOf(MAX_WAITING),
                "caravan.share.max-followers", String.valueOf(MAX_FOLLOWERS),
                "caravan.shares.s1", Files.createDirectories(tmp.resolve("shared")).toString()));
        sequence = ReceiverCalls.ok(receiver.get("/shares/s1/listing"), 200).get("sequence").asLong();
    }

    @AfterAll
    static void stop() throws Exception {
        receiver.close();
    }

    @AfterEach
    void noPollLeftWaiting() throws Exception {
        assertThat(waitFor(() -> share().get("waiting").asInt() == 0, 5_000)).as("polls left waiting").isTrue();
    }

    @Test
    void pollsWhoseClientsHangUpAreLetGoAtOnceWithTheirConnections() throws Exception {
        int before = sockets();
        AtomicBoolean churning = new AtomicBoolean(true);
        AtomicInteger sent = new AtomicInteger();
        AtomicInteger mostLive = new AtomicInteger();
        AtomicInteger mostHeld = new AtomicInteger();
        ConnectionLimit limit = receiver.context().getRegistry().lookupByNameAndType("receiverConnections", ConnectionLimit.class);
        List<Thread> clients = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            int client = k;
            clients.add(started(() -> {
                for (int i = 0; churning.get(); i++) {
                    try (Socket socket = new Socket("127.0.0.1", receiver.port())) {
                        RawSockets.write(socket, poll(60, client + "-" + i + "-" + "z".repeat(100)));
                        sent.incrementAndGet();
                    } catch (IOException refused) {
                        // accepts paused: try again
                    }
                }
            }));
        }
        Thread sampler = started(() -> {
            while (churning.get()) {
                mostLive.accumulateAndGet(limit.live(), Math::max);
                mostHeld.accumulateAndGet(limit.held(), Math::max);
                pause(5);
            }
        });
        Thread.sleep(3_000);
        churning.set(false);
        for (Thread thread : clients) {
            thread.join();
        }
        sampler.join();
        long stopped = System.nanoTime();

        assertThat(sent.get()).as("polls sent and hung up").isGreaterThan(500);
        // well under the polls' 60 s timeout (requests still queued when the client stopped are taken first)
        assertThat(waitFor(() -> share().get("waiting").asInt() == 0 && sockets() <= before + 2, 20_000))
                .as(() -> "polls waiting " + waiting() + ", sockets " + sockets() + " (" + before + " before) 20 s after the"
                        + " client stopped, " + sent.get() + " polls sent").isTrue();
        System.out.printf("%d polls hung up in 3 s: none waiting %d ms after the client stopped%n", sent.get(),
                (System.nanoTime() - stopped) / 1_000_000);
        // counted until really closed: never more than the bound, and those being closed at most a quarter more
        // (then accepts pause), give or take one batch of accepts
        assertThat(mostLive.get()).isBetween(1, MAX_CONNECTIONS);
        assertThat(mostHeld.get()).isLessThanOrEqualTo(MAX_CONNECTIONS + MAX_CONNECTIONS / 4 + 16);
        assertThat(limit.held()).isLessThanOrEqualTo(1);
        assertThat(receiver.get("/health").statusCode()).isEqualTo(200);
    }

    @Test
    void aFollowerHasAFewPollsWaitingAtMostAndOneHungUpMakesRoomAtOnce() throws Exception {
        List<Socket> polls = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                polls.add(openPoll("same"));
            }
            assertThat(waitFor(() -> share().get("waiting").asInt() == 4, 3_000)).isTrue();
            try (Socket fifth = openPoll("same")) {
                RawAnswer answer = RawAnswer.read(fifth.getInputStream());
                assertThat(answer.statusLine()).startsWith("HTTP/1.1 429");
                JsonNode body = ReceiverCalls.JSON.readTree(answer.body());
                assertThat(body.get("error").asText()).isEqualTo("too_many_polls");
                assertThat(body.get("message").asText()).contains("same");
            }
            polls.remove(0).close();
            assertThat(waitFor(() -> share().get("waiting").asInt() == 3, 2_000)).isTrue();
            polls.add(openPoll("same"));
            assertThat(waitFor(() -> share().get("waiting").asInt() == 4, 2_000)).as("the hung-up poll made room").isTrue();
        } finally {
            closeAll(polls);
        }
    }

    @Test
    void aSharesWaitingPollsAreBounded() throws Exception {
        List<Socket> polls = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_WAITING; i++) {
                polls.add(openPoll("each-" + i));
            }
            assertThat(waitFor(() -> share().get("waiting").asInt() == MAX_WAITING, 3_000)).isTrue();
            try (Socket late = openPoll("late")) {
                RawAnswer answer = RawAnswer.read(late.getInputStream());
                assertThat(answer.statusLine()).startsWith("HTTP/1.1 503");
                assertThat(answer.headers()).containsKey("retry-after");
                JsonNode body = ReceiverCalls.JSON.readTree(answer.body());
                assertThat(body.get("error").asText()).isEqualTo("busy");
                assertThat(body.get("message").asText()).contains("caravan.share.max-waiting=" + MAX_WAITING);
            }
        } finally {
            closeAll(polls);
        }
    }

    @Test
    void theFollowersKeptAreBoundedWhateverIdsClientsMakeUp() throws Exception {
        int most = 0;
        for (int i = 0; i < 300; i++) {
            try (Socket socket = openPoll("made-up-" + i)) {
                // hung up at once
            }
            if (i % 20 == 0) {
                most = Math.max(most, share().get("followers").asInt());
            }
        }
        most = Math.max(most, share().get("followers").asInt());
        assertThat(most).isBetween(1, MAX_FOLLOWERS);
        // a new follower is still taken in, the oldest that has left making room
        try (Socket socket = openPoll("newcomer")) {
            assertThat(waitFor(() -> share().get("waiting").asInt() == 1, 3_000)).isTrue();
        }
        assertThat(share().get("followers").asInt()).isLessThanOrEqualTo(MAX_FOLLOWERS);
    }

    private static Socket openPoll(String follower) throws IOException {
        Socket socket = RawSockets.open(receiver.port());
        RawSockets.write(socket, poll(30, follower));
        return socket;
    }

    private static String poll(int timeout, String follower) {
        return "GET /shares/s1/events?since=" + sequence + "&timeout=" + timeout + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "X-Caravan-Follower: " + follower + "\r\n\r\n";
    }

    private static String waiting() {
        try {
            return share().get("waiting").asText();
        } catch (Exception e) {
            return e.toString();
        }
    }

    private static JsonNode share() throws Exception {
        return ReceiverCalls.ok(receiver.get("/shares"), 200).get("shares").get(0);
    }

    /** The sockets this process holds open (the receiver's connections, and the few of the test's own clients). */
    private static int sockets() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().startsWith("socket:");
                } catch (IOException gone) {
                    return false;
                }
            }).count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static boolean waitFor(Condition condition, long millis) throws Exception {
        long end = System.nanoTime() + millis * 1_000_000;
        while (!condition.holds()) {
            if (System.nanoTime() > end) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    private static Thread started(Runnable work) {
        Thread thread = new Thread(work);
        thread.start();
        return thread;
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeAll(List<Socket> sockets) throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
    }
}
