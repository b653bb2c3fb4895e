package io.caravan.sender;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.pack.AdaptiveLevel;
import io.caravan.pack.AutoCodec;
import io.caravan.pack.CpuLoad;
import io.caravan.pack.LevelLog;
import io.caravan.pack.PackIterator;
import io.caravan.pack.PackOptions;
import io.caravan.pack.Packer;
import io.caravan.progress.ProgressListener;
import io.caravan.receiver.ReceiverFixture;
import io.caravan.receiver.RunningReceiver;
import io.caravan.util.TreeSnapshot;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --codec auto} against a real receiver: through a proxy on 127.0.0.1 that passes request
 * bodies at 4 MB/s, so the receiver answers chunks slowly, the levels recorded for the session rise
 * above the start level; straight over loopback they go down to fast levels and stay at or below the
 * start for nearly all of the stream; through a proxy that passes bodies at once but holds every answer
 * (a receiver short of CPU, on loopback or a fast LAN) they never rise above the start and end at or below
 * the light level, since compressing harder would not make the receiver faster. Either way the levels are
 * recorded in the session's level file as they are chosen (what a resumed send replays), and the
 * published tree equals the source.
 */
class AutoLevelOverARealLinkTest {

    private static final int SEGMENT = 256 * 1024;
    private static final long CHUNK = 1024 * 1024;

    @TempDir
    Path tmp;
    @RegisterExtension
    final RunningReceiver running = RunningReceiver.at(() -> tmp.resolve("inbox"));

    ReceiverFixture receiver;
    Path source;
    final ExecutorService pool = Executors.newFixedThreadPool(2);
    SlowProxy proxy;

    @BeforeEach
    void start(ReceiverFixture started) throws IOException {
        receiver = started;
        source = Files.createDirectories(tmp.resolve("src/notes"));
        // 40 MiB, about 20 MiB packed: twice what the buffers between the compressor and the link hold
        Files.write(source.resolve("a.txt"), text(24 << 20, 1));
        Files.write(source.resolve("b.txt"), text(16 << 20, 2));
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (proxy != null) {
            proxy.close();
        }
        pool.shutdownNow();
        pool.awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void aReceiverSlowToTakeChunksRaisesTheLevel() throws Exception {
        proxy = new SlowProxy(receiver.port(), 4_000_000, 0);

        // a sender with CPU to spare, as one on a slow uplink has (not a test machine busy with other tests)
        List<Integer> levels = send("http://127.0.0.1:" + proxy.port(), () -> 0.3);

        assertThat(Collections.max(levels)).as("levels %s", levels).isGreaterThan(AdaptiveLevel.START);
    }

    @Test
    void aReceiverOnLoopbackKeepsTheLevelAtOrBelowTheStart() throws Exception {
        List<Integer> levels = send("http://127.0.0.1:" + receiver.port(), CpuLoad.system());

        // the receiver runs in this JVM on the same cores: once the compressor is down at its fast
        // levels it may become the bound for a moment, and the level rises until it no longer is
        long atOrBelow = levels.stream().filter(level -> level <= AdaptiveLevel.START).count();
        assertThat(atOrBelow).as("segments at or below the start level of %s", levels).isGreaterThanOrEqualTo(levels.size() * 9L / 10);
        assertThat(Collections.min(levels)).as("levels %s", levels).isLessThanOrEqualTo(0);
    }

    @Test
    void aReceiverSlowToAnswerChunksWhoseBytesItTakesAtOnceNeverRaisesTheLevel() throws Exception {
        proxy = new SlowProxy(receiver.port(), 0, 150);

        List<Integer> levels = send("http://127.0.0.1:" + proxy.port(), CpuLoad.system());

        // the first segments are packed at the start level before any answer came; the level never rises above it
        assertThat(Collections.max(levels)).as("levels %s", levels).isLessThanOrEqualTo(AdaptiveLevel.START);
        // how fast it goes down depends on the machine's load (a CPU with none to spare holds the level): down it goes
        List<Integer> secondHalf = levels.subList(levels.size() / 2, levels.size());
        assertThat(Collections.min(secondHalf)).as("the second half of %s", levels).isLessThan(AdaptiveLevel.START);
        assertThat(levels.get(levels.size() - 1)).as("the last level of %s", levels).isLessThan(AdaptiveLevel.START);
    }

    /** Sends the source as {@code caravan send} does, judging the CPU by {@code cpu}; returns the levels the session recorded. */
    private List<Integer> send(String url, CpuLoad cpu) throws Exception {
        SenderSettings settings = new SenderSettings(url, null, new PackOptions(new AutoCodec(0, SEGMENT, cpu), 9, CHUNK, "notes"),
                2, -1, tmp.resolve("state"), new Retry(2, Duration.ofMillis(100), Duration.ofMillis(200)));
        ParcelUpload upload = new ParcelSender(settings).open(source, "notes");
        List<Integer> levels;
        try (PackIterator chunks = new PackIterator(new Packer(settings.pack(), ProgressListener.NONE, upload.hooks()),
                List.of(source))) {
            new ChunkShipping(pool, 2, StopSignal.NONE).ship(upload, chunks);
            levels = upload.hooks().levels().levels();
            Path file = tmp.resolve("state/levels").resolve(upload.sessionId());
            assertThat(LevelLog.in(file).levels()).as("the level file a resumed send replays").isEqualTo(levels);
            upload.finish(chunks.manifest());
        }
        assertThat(levels).hasSizeGreaterThan(40);
        assertThat(TreeSnapshot.of(source).differences(TreeSnapshot.of(receiver.inbox().resolve("notes")))).isEmpty();
        return levels;
    }

    /** Words and hex digests: text that compresses about twofold, no two stretches alike. */
    private static byte[] text(int size, long seed) {
        Random random = new Random(seed);
        String[] words = {"caravan", "desert", "camel", "chunk", "parcel", "zstd", "level", "link", "oasis", "sand"};
        StringBuilder text = new StringBuilder(size + 32);
        while (text.length() < size) {
            text.append(words[random.nextInt(words.length)]).append(' ').append(Long.toHexString(random.nextLong()))
                    .append(random.nextBoolean() ? ' ' : '\n');
        }
        return text.substring(0, size).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * A TCP proxy on 127.0.0.1 in front of the receiver: what clients send passes at
     * {@code bytesPerSecond} over all connections together (a slow uplink; 0: at once), answers pass
     * {@code answerDelayMillis} after they came (a receiver slow to answer).
     */
    private static final class SlowProxy implements AutoCloseable {
        private final ServerSocket server;
        private final int target;
        private final long nanosPerByte;
        private final long answerDelayMillis;
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();
        private long free = System.nanoTime();

        SlowProxy(int target, long bytesPerSecond, long answerDelayMillis) throws IOException {
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            this.target = target;
            this.nanosPerByte = bytesPerSecond == 0 ? 0 : 1_000_000_000L / bytesPerSecond;
            this.answerDelayMillis = answerDelayMillis;
            Thread acceptor = new Thread(this::accept, "slow-proxy");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void accept() {
            try {
                while (!server.isClosed()) {
                    Socket client = server.accept();
                    Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
                    sockets.add(client);
                    sockets.add(upstream);
                    pump(client, upstream, true);
                    pump(upstream, client, false);
                }
            } catch (IOException e) {
                // closed
            }
        }

        private void pump(Socket from, Socket to, boolean slow) {
            Thread pump = new Thread(() -> {
                byte[] buffer = new byte[16 * 1024];
                try (InputStream in = from.getInputStream()) {
                    OutputStream out = to.getOutputStream();
                    for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                        if (slow) {
                            onTheWire(n);
                        } else if (answerDelayMillis > 0) {
                            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(answerDelayMillis));
                        }
                        out.write(buffer, 0, n);
                        out.flush();
                    }
                    to.shutdownOutput();
                } catch (IOException e) {
                    // a side closed
                }
            }, "slow-proxy-pump");
            pump.setDaemon(true);
            pump.start();
        }

        /** Holds {@code n} bytes for their time on the shared slow link. */
        private void onTheWire(int n) {
            long done;
            synchronized (this) {
                free = Math.max(free, System.nanoTime()) + n * nanosPerByte;
                done = free;
            }
            for (long left = done - System.nanoTime(); left > 0; left = done - System.nanoTime()) {
                LockSupport.parkNanos(left);
            }
        }

        @Override
        public void close() {
            try {
                server.close();
            } catch (IOException ignored) {
                // closing
            }
            for (Socket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
        }
    }
}
