package io.caravan.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.LoggedWarnings;
import io.caravan.receiver.ReceiverFixture;
import io.caravan.receiver.RunningReceiver;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An archive download whose client reads nothing for {@code caravan.catalog.stall-timeout} is
 * aborted: its writer thread is free again and its connection is closed, so clients that ask for a
 * big archive and never read it cannot keep every other archive download answered 503 {@code busy}. The stalled
 * clients come from two addresses: one address takes half the threads at most ({@link ArchiveThreadsPerAddressTest}).
 */
class ArchiveStalledClientTest {

    private static final int THREADS = 2;

    @TempDir
    static Path tmp;
    @RegisterExtension
    static final RunningReceiver RUNNING = CatalogFixture.receiverAt(() -> tmp.resolve("inbox"))
            .property("caravan.receiver.archive-threads", String.valueOf(THREADS))
            .property("caravan.catalog.stall-timeout", "2s");
    static ReceiverFixture receiver;

    @BeforeAll
    static void publish(ReceiverFixture started) throws Exception {
        receiver = started;
        CatalogFixture.publishSmall(receiver, tmp);
        CatalogFixture.publishRandom(receiver, tmp, "bigdir", 32 << 20, 5); // more than the pipe and both sockets' buffers hold
    }

    @Test
    void clientsThatNeverReadAnArchiveLoseItAfterTheStallTimeout() throws Exception {
        List<Socket> stalled = new ArrayList<>();
        try (LoggedWarnings warnings = new LoggedWarnings()) {
            for (int i = 0; i < THREADS; i++) {
                Socket socket = new Socket();
                socket.setReceiveBufferSize(4096);
                socket.bind(new InetSocketAddress("127.0.0." + (i + 1), 0)); // one address takes half the threads at most
                socket.connect(new InetSocketAddress("127.0.0.1", receiver.port()), 5000);
                socket.getOutputStream().write("GET /parcels/zip?name=bigdir HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                stalled.add(socket); // and never read
            }
            Awaitility.await("every archive thread serves a client that reads nothing").atMost(Duration.ofSeconds(10))
                    .until(() -> receiver.get("/parcels/zip?name=small").statusCode() == 503);

            Awaitility.await("a download once the stalled ones were aborted").atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> receiver.get("/parcels/zip?name=small").statusCode() == 200);
            assertThat(zipEntries(download("/parcels/zip?name=small"))).containsExactly("small/", "small/a.txt");

            for (Socket socket : stalled) {
                // each is cut on its own clock: one read before it is cut would be progress, and served
                Awaitility.await("the stalled download of port " + socket.getLocalPort() + " is broken off")
                        .atMost(Duration.ofSeconds(10)).until(() -> !warnings.containing("broken off: its client /" + socket.getLocalAddress().getHostAddress()
                                + ":" + socket.getLocalPort() + " ").isEmpty());
                socket.setSoTimeout(10_000);
                assertThat(readsToTheEnd(socket)).as("the receiver closed the stalled connection").isTrue();
            }
        } finally {
            for (Socket socket : stalled) {
                socket.close();
            }
        }
    }

    private static byte[] download(String path) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<byte[]> answer = client.send(HttpRequest.newBuilder(receiver.uri(path)).timeout(Duration.ofSeconds(30))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(answer.statusCode()).isEqualTo(200);
        return answer.body();
    }

    private static List<String> zipEntries(byte[] zip) throws IOException {
        List<String> names = new ArrayList<>();
        try (ZipInputStream in = new ZipInputStream(new java.io.ByteArrayInputStream(zip))) {
            for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                names.add(entry.getName());
            }
        }
        return names;
    }

    /** True when the connection ends (closed or reset) within the socket timeout; false when it just stays open. */
    private static boolean readsToTheEnd(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[64 * 1024];
        try {
            while (in.read(buffer) >= 0) {
                // what was sent before the abort: skipped
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }
}
