package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Time that {@code caravan.receiver.bwlimit} holds a connection's reads back is not the client's: uploads
 * that reach the receiver together, each read more slowly than {@code caravan.receiver.min-body-rate}
 * and waiting longer than {@code caravan.receiver.stall-timeout} between reads because the receiver's
 * limit is shared by all of them, are stored, not answered 408.
 */
class ReceiverLimitedReadsAreNotTimedTest {

    @TempDir
    Path tmp;
    @RegisterExtension
    final RunningReceiver running = RunningReceiver.at(() -> tmp.resolve("inbox")).properties(Map.of(
            "caravan.receiver.bwlimit", "4KiB", "caravan.receiver.stall-timeout", "2s"));

    @Test
    void uploadsHeldBackByTheReceiversLimitAreStored(ReceiverFixture receiver) throws Exception {
        int uploads = 12;
        int size = 4 * 1024; // 48 KiB in all at 4 KiB/s (with the shaper's bursts, 5 s or more)
        String sid = ReceiverCalls.ok(receiver.post("/start", "{\"codec\":\"zstd\",\"name\":\"held\"}"), 201)
                .get("session_id").asText();
        List<Socket> sockets = new ArrayList<>();
        long t0 = System.nanoTime();
        try {
            for (int i = 0; i < uploads; i++) {
                Socket socket = new Socket("127.0.0.1", receiver.port());
                socket.setSoTimeout(30_000);
                sockets.add(socket);
                OutputStream out = socket.getOutputStream();
                out.write(("PUT /upload/" + sid + "/" + i + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + size
                        + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(new byte[size]);
                out.flush();
            }
            for (Socket socket : sockets) {
                RawAnswer answer = RawAnswer.read(socket.getInputStream());
                assertThat(answer.statusLine()).as(answer.body()).startsWith("HTTP/1.1 201");
            }
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
        // the last upload took more than two stall timeouts for its 4 KiB: less than 1 KiB/s, with pauses over 2 s
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("the receiver's limit held the uploads back")
                .isGreaterThan(Duration.ofSeconds(4));
    }
}
