package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel's queue of answer bytes for one connection whose client reads nothing is bounded by the
 * receiver's send buffer ({@code caravan.receiver.send-buffer}, 256 KiB by default; Linux counts twice the
 * size asked, bookkeeping included), not left to grow to the system's {@code tcp_wmem} maximum (4 MiB here):
 * measured as the connection's Send-Q ({@code ss}) while a large download waits unread.
 */
class ReceiverSendBufferTest {

    @TempDir
    Path tmp;

    @Test
    void anUnreadDownloadQueuesAtMostTheDefaultSendBuffer() throws Exception {
        assertThat(queuedForAnUnreadDownload(Map.of())).isBetween(1L, 2L * (256 << 10));
    }

    @Test
    void theSendBufferIsASetting() throws Exception {
        assertThat(queuedForAnUnreadDownload(Map.of("caravan.receiver.send-buffer", "64KiB"))).isBetween(1L, 2L * (64 << 10));
    }

    /** The bytes the kernel holds for a client that asked for a 64 MiB file and reads none of it. */
    private long queuedForAnUnreadDownload(Map<String, String> settings) throws Exception {
        Path inbox = Files.createDirectories(tmp.resolve("inbox"));
        try (RandomAccessFile big = new RandomAccessFile(inbox.resolve("big.bin").toFile(), "rw")) {
            big.setLength(64L << 20);
        }
        try (ReceiverFixture receiver = new ReceiverFixture(inbox, settings); Socket socket = new Socket()) {
            socket.setReceiveBufferSize(32 << 10);
            socket.connect(new InetSocketAddress("127.0.0.1", receiver.port()));
            socket.getOutputStream().write("GET /files?path=big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            long most = 0;
            for (int i = 0; i < 20; i++) {
                Thread.sleep(100);
                most = Math.max(most, sendQueue(receiver.port(), socket.getLocalPort()));
            }
            System.out.printf("send queue of an unread download with %s: %d bytes%n", settings, most);
            return most;
        }
    }

    /** The Send-Q of the receiver's side of the connection from {@code clientPort}, as {@code ss} shows it. */
    private static long sendQueue(int port, int clientPort) throws IOException, InterruptedException {
        Process ss = new ProcessBuilder("ss", "-tnH", "state", "established", "( sport = :" + port + " and dport = :"
                + clientPort + " )").redirectErrorStream(true).start();
        String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        ss.waitFor();
        return out.isEmpty() ? 0 : Long.parseLong(out.split("\\s+")[1]);
    }
}
