package io.caravan.receiver;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;

/**
 * A chunk upload on a raw socket, as curl sends it: its head asks {@code Expect: 100-continue}, and its
 * body goes only once the receiver has said {@code 100 Continue}, from another thread while the answer
 * is read (a test's client must not hide an early answer or a closed connection).
 */
public final class ExpectContinueUpload implements AutoCloseable {

    private final Socket socket;
    private final RawAnswer first;

    private ExpectContinueUpload(Socket socket, RawAnswer first) {
        this.socket = socket;
        this.first = first;
    }

    /** Sends the head of chunk {@code index} of session {@code sid}, declaring {@code length} bytes, and reads the first answer. */
    public static ExpectContinueUpload ask(int port, String sid, int index, long length) throws IOException {
        return ask(port, sid, index, length, InetAddress.getLoopbackAddress());
    }

    /** As above, from the loopback address {@code from} (127.0.0.2 is another client of 127.0.0.1). */
    public static ExpectContinueUpload ask(int port, String sid, int index, long length, InetAddress from) throws IOException {
        Socket socket = new Socket();
        try {
            socket.bind(new InetSocketAddress(from, 0));
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
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
    public RawAnswer first() {
        return first;
    }

    public boolean continued() {
        return first.statusLine().startsWith("HTTP/1.1 100");
    }

    /**
     * The final answer: the first one when it was not {@code 100 Continue}, else the one to {@code body}, sent by
     * {@code writers} (or on this thread when null) while the answer is read.
     */
    public RawAnswer send(byte[] body, ExecutorService writers) throws IOException {
        return send(body, body.length, Duration.ZERO, writers);
    }

    /**
     * As {@link #send(byte[], ExecutorService)}, the body sent {@code piece} bytes at a time with {@code pause}
     * after each, as a slow link brings it (the writing stops when the receiver closes the connection).
     */
    public RawAnswer send(byte[] body, int piece, Duration pause, ExecutorService writers) throws IOException {
        if (!continued()) {
            return first;
        }
        OutputStream out = socket.getOutputStream();
        Runnable write = () -> {
            try {
                for (int sent = 0; sent < body.length; sent += piece) {
                    out.write(body, sent, Math.min(piece, body.length - sent));
                    out.flush();
                    if (!pause.isZero()) {
                        Thread.sleep(pause.toMillis());
                    }
                }
            } catch (IOException e) {
                // the receiver answered and closed before the whole body was sent
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        if (writers == null) {
            write.run();
        } else {
            writers.submit(write);
        }
        return RawAnswer.read(socket.getInputStream());
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
