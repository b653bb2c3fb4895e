package io.caravan.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.TestTrees;
import io.caravan.receiver.ReceiverFixture;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An answer whose body follows its headers (a file, a share's file, a listing or an archive) ends when its connection
 * takes nothing of it for {@code caravan.catalog.stall-timeout}, or takes less than
 * {@code caravan.catalog.min-rate} averaged over that time: the connection closes and the file it held
 * open is let go, so clients that never read, or read a trickle, cannot hold descriptors and listing
 * threads for ever. A client that reads faster than the minimum gets the whole answer.
 */
class SlowAnswerReadersTest {

    private static final long STALL_MILLIS = 2000;
    private static final int MIN_RATE = 64 * 1024;
    private static final long HUGE = 64L << 20;
    /** Random, so that its archive is as large: more than both sockets' buffers hold. */
    private static final int PUBLISHED = 6 << 20;
    /** Files in the share, each with a long name, so that its listing is more than both sockets' buffers hold. */
    private static final int LISTED = 16_000;

    @TempDir
    static Path tmp;
    static ReceiverFixture receiver;
    static Path huge;
    static Path published;

    @BeforeAll
    static void start() throws Exception {
        Path site = Files.createDirectories(tmp.resolve("site"));
        huge = site.resolve("huge.bin");
        sparse(huge, HUGE);
        Path many = Files.createDirectories(site.resolve("many"));
        String padding = "n".repeat(200);
        for (int i = 0; i < LISTED; i++) { // a listing larger than both sockets' buffers hold
            Files.createFile(many.resolve(padding + i));
        }
        receiver = CatalogFixture.receiver(tmp.resolve("inbox"), Map.of("caravan.shares.site", site.toString(),
                "caravan.catalog.stall-timeout", STALL_MILLIS + "ms", "caravan.catalog.min-rate", String.valueOf(MIN_RATE),
                "caravan.receiver.idle-timeout", "30s"));
        Path big = Files.createDirectories(tmp.resolve("src/big"));
        published = big.resolve("big.bin");
        TestTrees.random(published, PUBLISHED, 7);
        CatalogFixture.send(receiver, big, "big", "none", tmp.resolve("state"), null);
        published = receiver.inbox().resolve("big/big.bin");
    }

    @AfterAll
    static void stop() throws Exception {
        receiver.close();
    }

    @Test
    void aClientThatNeverReadsAShareFileLosesItsConnectionAndTheFile() throws Exception {
        neverReads("/shares/site/files?path=huge.bin", huge, HUGE);
    }

    @Test
    void aClientThatNeverReadsAPublishedFileLosesItsConnectionAndTheFile() throws Exception {
        neverReads("/files?path=big/big.bin", published, PUBLISHED);
    }

    @Test
    void anArchiveReadBelowTheMinimumRateIsEndedOneReadAboveItIsServedWhole() throws Exception {
        slowAndSteadyReaders("/parcels/zip?name=big", PUBLISHED);
    }

    @Test
    void aListingReadBelowTheMinimumRateIsEndedOneReadAboveItIsServedWhole() throws Exception {
        slowAndSteadyReaders("/shares/site/listing", LISTED * 200L);
    }

    /** {@code path}'s answer, more than {@code size} bytes, is ended for a trickle and served whole in bursts. */
    private static void slowAndSteadyReaders(String path, long size) throws Exception {
        try (Socket bursts = request(path)) {
            // about eight times the minimum, read as a slow link's client does: a burst every 1.5 s, nothing between
            long read = 0;
            long start = System.nanoTime();
            while (!endsWithLastChunk && !timedOut && (System.nanoTime() - start) / 1_000_000 < 40_000) {
                Thread.sleep(1500);
                read += readAtRate(bursts, Long.MAX_VALUE, 100, 12 * MIN_RATE);
            }
            assertThat(endsWithLastChunk).as("the answer ended with its last chunk").isTrue();
            assertThat(read).as("the whole answer").isGreaterThan(size);
        }
        try (Socket trickle = request(path)) {
            long read = readAtRate(trickle, MIN_RATE / 8, 3 * STALL_MILLIS);
            read += drain(trickle); // what the connection took before it was closed, then its end
            assertThat(endsWithLastChunk).as("the trickle got no complete answer").isFalse();
            assertThat(timedOut).as("the receiver closed the trickling connection").isFalse();
            assertThat(read).isLessThan(size);
        }
    }

    private static void neverReads(String path, Path file, long size) throws Exception {
        try (Socket socket = request(path)) {
            Awaitility.await("the answer holds the file open").atMost(java.time.Duration.ofSeconds(5))
                    .until(() -> openDescriptors(file) > 0);
            Thread.sleep(2 * STALL_MILLIS + 1000); // reading nothing
            assertThat(openDescriptors(file)).as("descriptors of " + file + " still open").isZero();
            socket.setSoTimeout(5000);
            long read = drain(socket);
            assertThat(timedOut).as("the receiver closed the connection").isFalse();
            assertThat(read).as("the client got only part of the file").isLessThan(size);
        }
    }

    private static Socket request(String path) throws IOException {
        tail = new byte[0];
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(new InetSocketAddress("127.0.0.1", receiver.port()), 5000);
        socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        return socket;
    }

    private static boolean timedOut;
    private static boolean endsWithLastChunk;
    /** The last bytes read of the current answer. */
    private static byte[] tail = new byte[0];

    /** Reads until the connection ends (or a read waits 5 s): the bytes read. */
    private static long drain(Socket socket) throws IOException {
        return readAtRate(socket, Long.MAX_VALUE, 60_000);
    }

    /**
     * Reads at about {@code rate} bytes per second until the connection ends, the chunked body's last
     * chunk arrives or {@code limitMillis} pass; sets {@link #timedOut} when it did not end.
     */
    private static long readAtRate(Socket socket, long rate, long limitMillis) throws IOException {
        return readAtRate(socket, rate, limitMillis, Long.MAX_VALUE);
    }

    /** As above, {@code most} bytes at most, ending with the limit without a timeout being noted. */
    private static long readAtRate(Socket socket, long rate, long limitMillis, long most) throws IOException {
        timedOut = false;
        endsWithLastChunk = false;
        socket.setSoTimeout(5000);
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[(int) Math.min(64 * 1024, Math.max(1024, rate / 10))];
        long read = 0;
        long start = System.nanoTime();
        try {
            while (true) {
                long elapsed = (System.nanoTime() - start) / 1_000_000;
                if (elapsed > limitMillis || read >= most) {
                    timedOut = most == Long.MAX_VALUE;
                    return read;
                }
                if (rate != Long.MAX_VALUE) {
                    long due = read * 1000 / rate;
                    if (due > elapsed) {
                        Thread.sleep(due - elapsed);
                    }
                }
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, most - read));
                if (n < 0) {
                    return read;
                }
                read += n;
                byte[] joined = new byte[Math.min(tail.length + n, 16)];
                byte[] all = new byte[tail.length + n];
                System.arraycopy(tail, 0, all, 0, tail.length);
                System.arraycopy(buffer, 0, all, tail.length, n);
                System.arraycopy(all, all.length - joined.length, joined, 0, joined.length);
                tail = joined;
                if (new String(tail, StandardCharsets.US_ASCII).endsWith("\r\n0\r\n\r\n")) {
                    endsWithLastChunk = true;
                    return read;
                }
            }
        } catch (SocketTimeoutException e) {
            timedOut = true;
            return read;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } catch (IOException reset) {
            return read;
        }
    }

    /** How many of this process's descriptors are open on {@code file}. */
    private static long openDescriptors(Path file) throws IOException {
        Path real = file.toRealPath();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).equals(real);
                } catch (IOException | UnsupportedOperationException gone) {
                    return false;
                }
            }).count();
        }
    }

    private static void sparse(Path file, long size) throws IOException {
        try (RandomAccessFile out = new RandomAccessFile(file.toFile(), "rw")) {
            out.setLength(size);
        }
    }
}
