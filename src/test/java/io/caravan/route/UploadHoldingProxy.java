package io.caravan.route;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on 127.0.0.1 in front of a receiver that holds chunk uploads ({@code PUT}) back for
 * {@code hold}, or until it passes everything ({@link #passAll}) or is closed, deterministically: in
 * {@link Hold#ANSWERS} every request passes whole and at once and the answer to an upload is held back
 * before its first byte (the sender waits for its answer); in {@link Hold#BODIES} an upload's head
 * passes and nothing of its body is read (the sender waits in the write of its body, once the socket
 * buffers are full). It reads each request's head to know what it is (requests with a
 * {@code Content-Length} body or none, as the sender makes them).
 */
final class UploadHoldingProxy implements AutoCloseable {

    /** What of an upload is held back. */
    enum Hold {
        ANSWERS, BODIES
    }

    private final ServerSocket server;
    private final int target;
    private final Duration hold;
    private final Hold what;
    private volatile boolean passing;
    private final List<Relay> relays = new CopyOnWriteArrayList<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicInteger held = new AtomicInteger();

    UploadHoldingProxy(int target, Hold what, Duration hold) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.target = target;
        this.hold = hold;
        this.what = what;
        Thread acceptor = new Thread(this::accept, "upload-holding-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** How many uploads are being held back now. */
    int held() {
        return held.get();
    }

    /** Ends the connections made so far (and so the uploads held) and passes everything from now on. */
    void passAll() {
        passing = true;
        endRelays();
    }

    private void accept() {
        try {
            while (!server.isClosed()) {
                relays.add(new Relay(server.accept()));
            }
        } catch (IOException e) {
            // closed
        }
    }

    /** One client's connection and the proxy's own to the receiver, with what the request sent last was. */
    private final class Relay {
        final Socket client;
        final Socket receiver;
        volatile boolean upload;

        Relay(Socket client) throws IOException {
            this.client = client;
            this.receiver = new Socket(InetAddress.getLoopbackAddress(), target);
            start(this::requests);
            start(this::answers);
        }

        private void requests() {
            UploadHoldingProxy.this.requests(client, receiver, this);
        }

        private void answers() {
            UploadHoldingProxy.this.answers(receiver, client, this);
        }

        void close() {
            for (Socket socket : List.of(client, receiver)) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
        }
    }

    private static void start(Runnable pump) {
        Thread thread = new Thread(pump, "upload-holding-proxy-pump");
        thread.setDaemon(true);
        thread.start();
    }

    /** Passes requests one by one, noting for each whether it is an upload. */
    private void requests(Socket from, Socket to, Relay connection) {
        try (InputStream in = new BufferedInputStream(from.getInputStream())) {
            OutputStream out = to.getOutputStream();
            for (byte[] head = head(in); head != null; head = head(in)) {
                String text = new String(head, StandardCharsets.ISO_8859_1);
                connection.upload = text.startsWith("PUT ") && !passing;
                out.write(head);
                out.flush();
                if (connection.upload && what == Hold.BODIES) {
                    connection.upload = false;
                    holdOne();
                }
                long length = contentLength(text);
                byte[] buffer = new byte[64 * 1024];
                for (long left = length; left > 0; ) {
                    int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                    if (n < 0) {
                        throw new IOException("request body cut");
                    }
                    out.write(buffer, 0, n);
                    left -= n;
                }
                out.flush();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            // a side closed
        }
    }

    /** Passes answers, holding back the one to an upload before its first byte. */
    private void answers(Socket from, Socket to, Relay connection) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream()) {
            OutputStream out = to.getOutputStream();
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                if (connection.upload && what == Hold.ANSWERS) {
                    connection.upload = false;
                    holdOne();
                }
                out.write(buffer, 0, n);
                out.flush();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            // a side closed
        }
    }

    /** Holds one upload back for the hold time, or until everything passes. */
    private void holdOne() {
        held.incrementAndGet();
        try {
            for (long end = System.nanoTime() + hold.toNanos(); !passing && System.nanoTime() < end; ) {
                closed.await(20, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            held.decrementAndGet();
        }
    }

    /** A request's head up to its empty line, or null at the end of the connection. */
    private static byte[] head(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        for (int b = in.read(); b >= 0; b = in.read()) {
            head.write(b);
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
            if (matched == 4) {
                return head.toByteArray();
            }
        }
        return null;
    }

    private static long contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        return 0;
    }

    @Override
    public void close() {
        closed.countDown();
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        endRelays();
    }

    private void endRelays() {
        for (Relay relay : relays) {
            relays.remove(relay);
            relay.close();
        }
    }
}
