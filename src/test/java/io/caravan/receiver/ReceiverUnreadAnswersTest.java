package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that pipelines thousands of requests on connections it never reads takes no more of the receiver
 * than the answers its connections can hold: the receiver stops reading a connection while its answers are
 * not taken, so it works on a bounded number of that connection's requests (whatever they are: token-free,
 * refused for their token, or authenticated), and {@code /health} from a fresh connection answers at once
 * throughout. A client that pipelines and reads gets every answer, in order, even when it sent more than the
 * receiver holds before reading any.
 */
class ReceiverUnreadAnswersTest {

    private static final String TOKEN = "secret";
    private static final int CONNECTIONS = 3;
    /**
     * Bytes of answers one unread connection may hold at most: what the kernel queues for it (the largest send
     * buffer it grows to, {@code net.ipv4.tcp_wmem}, and the client's receive buffer), the connection's write
     * high-water mark (64 KiB) and some.
     */
    private static final long MOST_HELD = sendBufferMax() + 256 * 1024;

    @TempDir
    static Path tmp;
    static ReceiverFixture receiver;
    static final AtomicLong exchanges = new AtomicLong();

    @BeforeAll
    static void start() throws Exception {
        // thousands of refusals for their token from one address: none slowed here (WrongTokenThrottleTest)
        receiver = new ReceiverFixture(tmp.resolve("inbox"), Map.of("caravan.receiver.token", TOKEN,
                "caravan.receiver.wrong-token-burst", "1000000"));
        EventNotifierSupport counter = new EventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                exchanges.incrementAndGet();
            }

            @Override
            public boolean isEnabled(CamelEvent event) {
                return event instanceof CamelEvent.ExchangeCompletedEvent || event instanceof CamelEvent.ExchangeFailedEvent;
            }
        };
        counter.start();
        receiver.context().getManagementStrategy().addEventNotifier(counter);
    }

    @AfterAll
    static void stop() throws Exception {
        receiver.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"login", "health", "unauthorized", "authenticated"})
    void connectionsThatNeverReadGetABoundedNumberOfAnswersAndHealthAnswersThroughout(String kind) throws Exception {
        String request = request(kind);
        long answerSize = answerSize(request);
        long most = MOST_HELD / answerSize;
        int pipelined = (int) (3 * most); // a receiver that reads them all answers three times as many as it may
        long before = answered();
        List<Socket> sockets = new ArrayList<>();
        List<Long> probes = new ArrayList<>();
        try {
            for (int i = 0; i < CONNECTIONS; i++) {
                Socket socket = new Socket();
                socket.setReceiveBufferSize(4096);
                socket.connect(new InetSocketAddress("127.0.0.1", receiver.port()), 5000);
                sockets.add(socket);
                writeOnItsOwn(socket, request.repeat(pipelined));
            }
            // /health is probed every 200 ms for at least 2 s and until the receiver has settled: a look at /metrics a
            // second found no exchange but the probes since the last look and that look itself
            long least = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            long nextLook = System.nanoTime() + Duration.ofSeconds(1).toNanos();
            int looks = 0;
            long settled = -1;
            for (long last = -1, probed = 0; ; ) {
                probes.add(probeHealth());
                Thread.sleep(200);
                if (System.nanoTime() >= nextLook) {
                    settled = answered();
                    looks++;
                    long more = settled - last - (probes.size() - probed) - 1; // less the probes since and this look
                    if (last >= 0 && more <= 0 && System.nanoTime() >= least) {
                        break;
                    }
                    last = settled;
                    probed = probes.size();
                    nextLook = System.nanoTime() + Duration.ofSeconds(1).toNanos();
                }
            }
            long answers = settled - before - probes.size() - looks; // less the probes and the looks at /metrics
            assertThat(probes).as("/health from a fresh connection (ms) while %d connections pipeline %d '%s' requests"
                    + " each and read nothing", CONNECTIONS, pipelined, kind).allMatch(ms -> ms < 2000);
            assertThat(answers).as("requests answered (%d bytes each) on %d connections that read nothing of %d pipelined each",
                    answerSize, CONNECTIONS, pipelined).isLessThanOrEqualTo(CONNECTIONS * most);
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    @Test
    void aClientThatPipelinesAndReadsGetsEveryAnswerInOrder() throws Exception {
        String[] kinds = {"health", "login", "unauthorized", "authenticated", "head"};
        String[] statuses = {"200", "200", "401", "404", "200"};
        int count = 5_000;
        StringBuilder requests = new StringBuilder();
        for (int i = 0; i < count; i++) {
            requests.append(request(kinds[i % kinds.length]));
        }
        try (Socket socket = RawSockets.open(receiver.port())) {
            writeOnItsOwn(socket, requests.toString());
            Thread.sleep(1000); // more than the connection holds waits: the receiver has stopped reading it
            InputStream in = new BufferedInputStream(socket.getInputStream());
            for (int i = 0; i < count; i++) {
                String kind = kinds[i % kinds.length];
                RawAnswer answer = kind.equals("head") ? RawAnswer.readHead(in) : RawAnswer.read(in);
                assertThat(answer.statusLine()).as("answer %d, to '%s'", i, kind).startsWith("HTTP/1.1 " + statuses[i % kinds.length]);
                if (kind.equals("login")) {
                    assertThat(answer.body()).as("answer %d", i).contains("<html");
                } else if (kind.equals("health")) {
                    assertThat(answer.body()).as("answer %d", i).contains("UP");
                }
            }
        }
    }

    private static String request(String kind) {
        return switch (kind) {
            case "login" -> "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
            case "health" -> "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
            case "head" -> "HEAD /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
            case "unauthorized" -> "GET /status/0123456789abcdef0123456789abcdef HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
            case "authenticated" -> "GET /status/0123456789abcdef0123456789abcdef HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: Bearer " + TOKEN + "\r\n\r\n";
            default -> throw new IllegalArgumentException(kind);
        };
    }

    /** The bytes of the answer to {@code request}, read on a fresh connection. */
    private static long answerSize(String request) throws IOException {
        try (Socket socket = RawSockets.open(receiver.port())) {
            RawSockets.write(socket, request);
            RawAnswer answer = RawAnswer.read(new BufferedInputStream(socket.getInputStream()));
            long size = answer.statusLine().length() + 2 + answer.body().getBytes(StandardCharsets.UTF_8).length + 2;
            for (Map.Entry<String, String> header : answer.headers().entrySet()) {
                size += header.getKey().length() + 2 + header.getValue().length() + 2;
            }
            return size;
        }
    }

    /** The most bytes the kernel lets a connection's send buffer grow to (the third of net.ipv4.tcp_wmem), 4 MiB if unknown. */
    private static long sendBufferMax() {
        try {
            String[] wmem = Files.readString(Path.of("/proc/sys/net/ipv4/tcp_wmem")).trim().split("\\s+");
            return Long.parseLong(wmem[2]);
        } catch (IOException | RuntimeException unknown) {
            return 4L << 20;
        }
    }

    /** Exchanges the routes completed and requests the pipeline refused for their token, so far. */
    private static long answered() throws Exception {
        String metrics = receiver.send("GET", "/metrics", null, "Authorization", "Bearer " + TOKEN).body();
        Matcher refused = Pattern.compile("caravan_rejections_total\\{reason=\"unauthorized\"} ([0-9.E]+)").matcher(metrics);
        return exchanges.get() + (refused.find() ? (long) Double.parseDouble(refused.group(1)) : 0);
    }

    /** Milliseconds /health took to answer 200 on a fresh connection (a large number when it did not). */
    private static long probeHealth() {
        long t0 = System.nanoTime();
        try (Socket socket = RawSockets.open(receiver.port())) {
            socket.setSoTimeout(5000);
            RawSockets.write(socket, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            RawAnswer answer = RawAnswer.read(new BufferedInputStream(socket.getInputStream()));
            return answer.statusLine().startsWith("HTTP/1.1 200") ? (System.nanoTime() - t0) / 1_000_000 : Long.MAX_VALUE;
        } catch (IOException e) {
            return Long.MAX_VALUE;
        }
    }

    /** Writes {@code text} on a thread of its own: the receiver may stop reading long before all of it is taken. */
    private static void writeOnItsOwn(Socket socket, String text) {
        Thread writer = new Thread(() -> {
            try {
                OutputStream out = socket.getOutputStream();
                out.write(text.getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException closed) {
                // the test closed the connection
            }
        }, "pipelining-writer");
        writer.setDaemon(true);
        writer.start();
    }
}
