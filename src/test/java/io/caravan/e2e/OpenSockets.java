package io.caravan.e2e;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Raw connections of a test's clients that send a request and then stall (they neither send nor
 * read more), closed at the latest after the test.
 */
final class OpenSockets implements AfterEachCallback {

    private final List<Socket> sockets = new ArrayList<>();

    /** A connection to 127.0.0.1:{@code port} with {@code request} sent on it. */
    Socket send(int port, int receiveBuffer, String request) throws IOException {
        Socket socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        sockets.add(socket);
        OutputStream out = socket.getOutputStream();
        out.write(request.getBytes(StandardCharsets.UTF_8));
        out.flush();
        return socket;
    }

    List<Socket> all() {
        return sockets;
    }

    void closeAll() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        closeAll();
    }
}
