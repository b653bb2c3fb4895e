package io.caravan.receiver;

import static io.caravan.receiver.ReceiverCalls.ints;
import static io.caravan.receiver.ReceiverCalls.ok;
import static io.caravan.receiver.ReceiverCalls.status;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upload's body is reserved in the direct-memory budget from the length its head declares, and timed while it
 * waits. A body sent in chunked transfer coding declares none: four of them, each holding 28 MiB and trickling on,
 * held the receiver's direct memory outside the budget and every sender was refused for as long as they
 * trickled. So an upload must declare its length (Caravan's sender always does): a chunked one is 411
 * {@code length_required}, nothing of it is read into memory, and nothing is stored.
 */
class ChunkedUploadBodiesTest {

    @TempDir
    static Path tmp;
    @RegisterExtension
    static final RunningReceiver RUNNING = RunningReceiver.at(() -> tmp.resolve("inbox"));

    @Test
    void aChunkedUploadBodyIs411AndStoresNothing(ReceiverFixture receiver) throws Exception {
        String sid = ok(receiver.send("POST", "/start", "{}".getBytes(StandardCharsets.UTF_8), "Content-Type", "application/json"),
                201).get("session_id").asText();

        String answer;
        try (Socket socket = new Socket("127.0.0.1", receiver.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("PUT /upload/" + sid + "/0 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Transfer-Encoding: chunked\r\nContent-Type: application/octet-stream\r\n\r\n"
                    + "5\r\nhello\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            StringBuilder read = new StringBuilder();
            byte[] buffer = new byte[4096];
            for (int n; !read.toString().endsWith("}") && (n = in.read(buffer)) > 0; ) {
                read.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1)); // the head, then the JSON body
            }
            answer = read.toString();
        } catch (java.net.SocketTimeoutException e) {
            answer = "no answer within 10 s";
        }

        assertThat(answer).startsWith("HTTP/1.1 411").contains("length_required").contains("Content-Length");
        assertThat(ints(ok(status(receiver, sid), 200).get("received"))).isEmpty();
    }
}
