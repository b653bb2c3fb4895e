package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.junit.jupiter.api.Test;

/**
 * The kernel's queue for a connection's client is found by its addresses and shrinks as the client
 * reads, while the server writes nothing more.
 */
class SendQueuesTest {

    @Test
    void theQueueOfAClientThatReadsNothingShrinksOnceItReads() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (Socket client = new Socket()) {
                client.setReceiveBufferSize(4096);
                client.connect(server.getLocalAddress());
                try (SocketChannel accepted = server.accept()) {
                    accepted.configureBlocking(false);
                    ByteBuffer bytes = ByteBuffer.allocate(1 << 20);
                    long written = 0;
                    for (int idle = 0; idle < 50; ) {
                        int n = accepted.write(bytes.clear());
                        written += n;
                        idle = n == 0 ? idle + 1 : 0;
                        if (n == 0) {
                            Thread.sleep(10);
                        }
                    }
                    long full = SendQueues.unsent(accepted.getLocalAddress(), accepted.getRemoteAddress());
                    assertThat(full).isPositive().isLessThanOrEqualTo(written);

                    InputStream in = client.getInputStream();
                    in.readNBytes(256 * 1024);
                    Thread.sleep(100);
                    long after = SendQueues.unsent(accepted.getLocalAddress(), accepted.getRemoteAddress());
                    assertThat(after).isNotEqualTo(SendQueues.UNKNOWN).isLessThan(full);
                }
            }
        }
    }

    @Test
    void aConnectionNotListedIsUnknown() throws Exception {
        try (ServerSocket unused = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            InetSocketAddress nowhere = new InetSocketAddress(InetAddress.getLoopbackAddress(), unused.getLocalPort());
            assertThat(SendQueues.unsent(nowhere, new InetSocketAddress(InetAddress.getLoopbackAddress(), 1)))
                    .isEqualTo(SendQueues.UNKNOWN);
        }
    }
}
