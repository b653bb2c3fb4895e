package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.TestTrees;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A receiver limited to 1024 file descriptors ({@code prlimit --nofile=1024:1024}) and a client without
 * the token that opens 1500 connections, each holding a request head it never finishes: the receiver
 * keeps to its connection cap (closing the connections that wait longest for a head, answering 503 busy
 * when it must), so it never runs out of descriptors, {@code /health} answers and a real small send
 * publishes while the flood lasts, and all is healthy once it ends. It used to answer nothing at all
 * ("Too many open files" in its log) for as long as the connections were held.
 */
class ConnectionFloodUnderLowDescriptorLimitIT {

    private static final int FLOOD = 1500;
    private static final List<String> LIMITED = List.of("prlimit", "--nofile=1024:1024");
    private static final String TOKEN = "T0k3n";

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    @Test
    void halfSentHeadsBeyondTheDescriptorLimitLeaveHealthAndSendsAnswered() throws Exception {
        int port = E2e.freePort();
        CaravanProcess receiver = processes.startWithin(LIMITED, dir, "receiver", List.of(), "run", "--role", "receiver",
                "-Dcaravan.receiver.port=" + port, "-Dcaravan.receiver.inbox=" + dir.resolve("inbox"),
                "-Dcaravan.receiver.token=" + TOKEN).awaitHttpReady(port);
        Path source = Files.createDirectories(dir.resolve("src")).resolve("small.txt");
        TestTrees.write(source, "small\n");

        List<Socket> flood = new ArrayList<>();
        try {
            for (int i = 0; i < FLOOD; i++) {
                try {
                    Socket socket = new Socket();
                    socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                    OutputStream out = socket.getOutputStream();
                    out.write("GET / HTTP/1.1\r\nX: ".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    flood.add(socket);
                } catch (IOException refusedOrClosed) {
                    // a connection the receiver closed or could not take: the flood goes on
                }
            }

            assertThat(CaravanProcess.status(port, "/health")).as("/health during the flood").isEqualTo(200);
            CaravanProcess send = processes.start(dir, "send", "send", source.toString(), "flood/", "--to",
                    "http://127.0.0.1:" + port, "--token", TOKEN, "--state-dir", dir.resolve("state").toString(), "-q");
            assertThat(send.awaitExit(Duration.ofSeconds(90))).as("the send during the flood:\n%s", send.log()).isZero();
            assertThat(Files.readString(dir.resolve("inbox/flood/small.txt"))).isEqualTo("small\n");
        } finally {
            for (Socket socket : flood) {
                socket.close();
            }
        }

        assertThat(CaravanProcess.status(port, "/health")).as("/health after the flood").isEqualTo(200);
        assertThat(receiver.log()).doesNotContain("Too many open files").contains("caravan.receiver.max-connections");
    }
}
