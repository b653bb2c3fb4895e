package io.caravan.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.receiver.ReceiverFixture;
import io.caravan.receiver.RunningReceiver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * One client address takes at most half of the archive threads (rounded up): its downloads beyond them are 503
 * {@code busy} at once, and another address still gets its archive. Before, four connections from one address that
 * asked for a zip and read nothing held all four threads until the stall timeout, and one that took a byte now and
 * then held them for good.
 */
class ArchiveThreadsPerAddressTest {

    @TempDir
    static Path tmp;
    @RegisterExtension
    static final RunningReceiver RUNNING = CatalogFixture.receiverAt(() -> tmp.resolve("inbox"))
            .property("caravan.receiver.archive-threads", "2");
    static ReceiverFixture receiver;

    @BeforeAll
    static void publish(ReceiverFixture started) throws Exception {
        receiver = started;
        CatalogFixture.publishSmall(receiver, tmp);
        CatalogFixture.publishRandom(receiver, tmp, "big", 48 << 20, 3);
    }

    @Test
    void oneAddressTakesAtMostHalfTheArchiveThreads() throws Exception {
        InetAddress one = InetAddress.getByName("127.0.0.1");
        InetAddress other = InetAddress.getByName("127.0.0.2");
        try (Socket held = new Socket("127.0.0.1", receiver.port(), one, 0)) {
            held.getOutputStream().write("GET /parcels/tar-zst?name=big HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(held.getInputStream().readNBytes(4096)).hasSize(4096); // a thread builds it for a reader that stopped

            String again = zip(one);
            assertThat(again).startsWith("HTTP/1.1 503").contains("\"busy\"").contains("127.0.0.1")
                    .contains("caravan.receiver.archive-threads");
            assertThat(zip(other)).as("another address").startsWith("HTTP/1.1 200");
        }
    }

    /** The head and first bytes of the answer to a zip download of 'small' asked from {@code from}. */
    private static String zip(InetAddress from) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", receiver.port(), from, 0)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET /parcels/zip?name=small HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readNBytes(2048), StandardCharsets.ISO_8859_1);
        }
    }
}
