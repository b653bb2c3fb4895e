package io.caravan.receiver;

import static io.caravan.receiver.ReceiverCalls.ints;
import static io.caravan.receiver.ReceiverCalls.ok;
import static io.caravan.receiver.ReceiverCalls.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upload's body is reserved in the direct-memory budget from the length its head declares, before it is read.
 * A body in chunked transfer coding declares none, and went around the budget: four of them, each holding 28 MiB
 * and trickling on, held the receiver's direct memory and every sender was refused for as long as they trickled.
 * Such a body now reserves the most an upload may be ({@code max-chunk-size} plus 1 MiB) from its head, under the
 * same budget, share and timers, is stored as before when it ends within that, and is 413 {@code body_too_large},
 * nothing stored, when it brings more.
 */
class ChunkedUploadBodiesTest {

    private static final long MAX_UPLOAD = (1L << 20) + (1L << 20); // max-chunk-size 1 MiB, plus 1 MiB
    private static final Pattern HELD = Pattern.compile("(?m)^caravan_direct_memory_held_bytes\\S* ([0-9.E+]+)$");

    @TempDir
    static Path tmp;
    @RegisterExtension
    static final RunningReceiver RUNNING = RunningReceiver.at(() -> tmp.resolve("inbox"))
            .property("caravan.receiver.max-chunk-size", "1MiB");

    private static String start(ReceiverFixture receiver) throws Exception {
        return ok(receiver.send("POST", "/start", "{}".getBytes(StandardCharsets.UTF_8), "Content-Type", "application/json"),
                201).get("session_id").asText();
    }

    private static double held(ReceiverFixture receiver) throws Exception {
        Matcher m = HELD.matcher(receiver.get("/metrics").body());
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    @Test
    void aChunkedBodyHoldsTheMostAnUploadMayBeWhileItArrivesAndIsStored(ReceiverFixture receiver) throws Exception {
        String sid = start(receiver);
        try (Socket socket = new Socket("127.0.0.1", receiver.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("PUT /upload/" + sid + "/0 HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
                    + "Content-Type: application/octet-stream\r\n\r\n5\r\nhello\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();

            await("the body's reservation").atMost(Duration.ofSeconds(10)).until(() -> held(receiver) >= MAX_UPLOAD);

            out.write("6\r\n world\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(answer(socket.getInputStream())).startsWith("HTTP/1.1 201");
        }
        assertThat(ints(ok(status(receiver, sid), 200).get("received"))).containsExactly(0);
        await("the reservation given back").atMost(Duration.ofSeconds(10)).until(() -> held(receiver) == 0);
    }

    @Test
    void aChunkedBodyLargerThanAnUploadMayBeIs413AndStoresNothing(ReceiverFixture receiver) throws Exception {
        String sid = start(receiver);
        String answer;
        try (Socket socket = new Socket("127.0.0.1", receiver.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("PUT /upload/" + sid + "/0 HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
                    + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] piece = new byte[64 * 1024];
            try {
                for (long sent = 0; sent <= MAX_UPLOAD; sent += piece.length) {
                    out.write((Integer.toHexString(piece.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(piece);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException closed) {
                // the receiver may close the connection once it has answered
            }
            answer = answer(socket.getInputStream());
        }
        assertThat(answer).startsWith("HTTP/1.1 413").contains("body_too_large");
        assertThat(ints(ok(status(receiver, sid), 200).get("received"))).isEmpty();
        await("the reservation given back").atMost(Duration.ofSeconds(10)).until(() -> held(receiver) == 0);
    }

    @Test
    void aBodyWithBothALengthAndChunkedCodingIs400AndTheConnectionCloses(ReceiverFixture receiver) throws Exception {
        String sid = start(receiver);
        String answer;
        int after;
        try (Socket socket = new Socket("127.0.0.1", receiver.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            // read by its length, the body is "0\r\n\r\n" and a second request follows; read as chunked, it is empty
            out.write(("PUT /upload/" + sid + "/0 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n"
                    + "Transfer-Encoding: chunked\r\nContent-Type: application/octet-stream\r\n\r\n0\r\n\r\n"
                    + "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            answer = answer(in);
            after = in.read();
        }
        assertThat(answer).startsWith("HTTP/1.1 400").contains("bad_request").contains("Content-Length").contains("Transfer-Encoding")
                .containsIgnoringCase("connection: close");
        assertThat(after).as("the connection is closed after the answer, nothing more is read from it").isEqualTo(-1);
        assertThat(ints(ok(status(receiver, sid), 200).get("received"))).isEmpty();
    }

    /** The answer's head and its JSON body. */
    private static String answer(InputStream in) throws IOException {
        StringBuilder read = new StringBuilder();
        byte[] buffer = new byte[4096];
        for (int n; !read.toString().endsWith("}") && (n = in.read(buffer)) > 0; ) {
            read.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
        }
        return read.toString();
    }
}
