package io.caravan.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP relay on 127.0.0.1 in front of a receiver that counts the bytes senders send through it and
 * can stall them after a budget: with {@link #stallAfter(long)} set, client-to-receiver traffic
 * stops once that many bytes have passed, so a sender is reliably caught mid-transfer (some chunks
 * stored, {@code parallel} requests half sent) however fast the machine is.
 */
final class ChokeProxy implements AutoCloseable {

    private final int target;
    private final ServerSocket server;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private final AtomicLong forwarded = new AtomicLong();
    private final Object lock = new Object();
    private long budget = Long.MAX_VALUE;

    ChokeProxy(int targetPort) throws IOException {
        this.target = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::accept, "choke-proxy-accept");
        accept.setDaemon(true);
        accept.start();
    }

    int port() {
        return server.getLocalPort();
    }

    String url() {
        return "http://127.0.0.1:" + port();
    }

    /** Bytes relayed from senders to the receiver so far (HTTP headers and bodies). */
    long forwarded() {
        return forwarded.get();
    }

    /** From now on, let at most {@code bytes} more bytes through towards the receiver, then stall. */
    void stallAfter(long bytes) {
        synchronized (lock) {
            budget = bytes;
            lock.notifyAll();
        }
    }

    /** True when the budget is used up and senders are stalled. */
    boolean stalled() {
        synchronized (lock) {
            return budget == 0;
        }
    }

    /** Lifts the budget: everything flows again. */
    void open() {
        stallAfter(Long.MAX_VALUE);
    }

    /** Closes every relayed connection (both sides), as a dead sender's sockets would be. */
    void dropConnections() {
        for (Link link : links) {
            link.close();
        }
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        dropConnections();
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket client = null;
            try {
                client = server.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
                Link link = new Link(client, upstream);
                links.add(link);
                thread(() -> link.up(), "choke-proxy-up").start();
                thread(() -> link.down(), "choke-proxy-down").start();
            } catch (IOException e) {
                closeQuietly(client); // closed, or the receiver refused: the client sees its connection closed
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            if (socket != null) {
                socket.close();
            }
        } catch (IOException e) {
            // already closed
        }
    }

    private static Thread thread(Runnable body, String name) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        return t;
    }

    /** Takes up to {@code wanted} bytes of budget, waiting while there is none; -1 if the link closed meanwhile. */
    private int take(int wanted, Link link) {
        synchronized (lock) {
            while (budget == 0 && !link.closed) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return -1;
                }
            }
            if (link.closed) {
                return -1;
            }
            int granted = (int) Math.min(wanted, budget);
            budget -= granted;
            return granted;
        }
    }

    private void giveBack(int unused) {
        if (unused > 0) {
            synchronized (lock) {
                budget = budget > Long.MAX_VALUE - unused ? Long.MAX_VALUE : budget + unused;
                lock.notifyAll();
            }
        }
    }

    private final class Link {
        private final Socket client;
        private final Socket upstream;
        private volatile boolean closed;

        Link(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void up() {
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = client.getInputStream(); OutputStream out = upstream.getOutputStream()) {
                while (true) {
                    int granted = take(buffer.length, this);
                    if (granted < 0) {
                        break;
                    }
                    int n;
                    try {
                        n = in.read(buffer, 0, granted);
                    } catch (IOException e) {
                        giveBack(granted);
                        throw e;
                    }
                    giveBack(granted - Math.max(n, 0));
                    if (n < 0) {
                        break;
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                    forwarded.addAndGet(n);
                }
            } catch (IOException e) {
                // one side went away
            } finally {
                close();
            }
        }

        void down() {
            try (InputStream in = upstream.getInputStream(); OutputStream out = client.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException e) {
                // one side went away
            } finally {
                close();
            }
        }

        void close() {
            closed = true;
            try {
                client.close();
            } catch (IOException e) {
                // already closed
            }
            try {
                upstream.close();
            } catch (IOException e) {
                // already closed
            }
            links.remove(this);
        }
    }
}
