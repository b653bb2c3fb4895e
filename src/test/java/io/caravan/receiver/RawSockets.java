package io.caravan.receiver;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Plain sockets to a receiver on 127.0.0.1 (or another loopback address), for tests that write requests (or parts of them) byte by byte. */
final class RawSockets {

    private RawSockets() {
    }

    /** A connection to {@code port} whose reads give up after 15 s. */
    static Socket open(int port) throws IOException {
        return open("127.0.0.1", port);
    }

    /** A connection to {@code port} on {@code host} whose reads give up after 15 s. */
    static Socket open(String host, int port) throws IOException {
        Socket socket = new Socket(host, port);
        socket.setSoTimeout(15_000);
        return socket;
    }

    /**
     * A connection to {@code port} whose receive buffer is asked to be {@code receiveBuffer} bytes (before it
     * connects, so the window it offers is small) and whose reads give up after 15 s.
     */
    static Socket open(int port, int receiveBuffer) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(receiveBuffer);
        socket.setSoTimeout(15_000);
        socket.connect(new InetSocketAddress("127.0.0.1", port));
        return socket;
    }

    /** Writes {@code text} as UTF-8 and flushes it. */
    static void write(Socket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
