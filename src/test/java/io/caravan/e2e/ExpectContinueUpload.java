package io.caravan.e2e;

import io.caravan.receiver.RawAnswer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;

/**
 * A chunk upload on a raw socket, as curl sends it: its head asks {@code Expect: 100-continue}, and its
 * body goes only once the receiver has said {@code 100 Continue}, from another thread while the answer
 * is read (a test's client must not hide an early answer or a closed connection).
 */
final class ExpectContinueUpload implements AutoCloseable {

    private final Socket socket;
    private final RawAnswer first;

    private ExpectContinueUpload(Socket socket, RawAnswer first) {
        this.socket = socket;
        this.first = first;
    }

    /** Sends the head of chunk {@code index} of session {@code sid}, declaring {@code length} bytes, and reads the first answer. */
    static ExpectContinueUpload ask(int port, String sid, int index, long length) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        try {
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            out.write(("PUT /upload/" + sid + "/" + index + " HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\n"
                    + "Content-Length: " + length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new ExpectContinueUpload(socket, RawAnswer.read(socket.getInputStream()));
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** The receiver's first answer: {@code 100 Continue}, or its final answer given before the body. */
    RawAnswer first() {
        return first;
    }

    boolean continued() {
        return first.statusLine().startsWith("HTTP/1.1 100");
    }

    /**
     * The final answer: the first one when it was not {@code 100 Continue}, else the one to {@code body}, sent by
     * {@code writers} (or on this thread when null) while the answer is read.
     */
    RawAnswer send(byte[] body, ExecutorService writers) throws IOException {
        if (!continued()) {
            return first;
        }
        OutputStream out = socket.getOutputStream();
        Runnable write = () -> {
            try {
                out.write(body);
                out.flush();
            } catch (IOException e) {
                // the receiver answered and closed before the whole body was sent
            }
        };
        if (writers == null) {
            write.run();
        } else {
            writers.submit(write);
        }
        InputStream in = socket.getInputStream();
        return RawAnswer.read(in);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
