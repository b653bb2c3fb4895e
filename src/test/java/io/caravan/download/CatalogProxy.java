package io.caravan.download;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP relay (the JDK's HttpServer) in front of a receiver's read side that counts the chunk
 * requests passing through, can run an action before the n-th one (a republish, say), and can hold
 * chunk requests back once a number of them were answered, so a download is caught mid-transfer
 * however fast the machine is.
 */
public final class CatalogProxy implements AutoCloseable {

    private final HttpServer server;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final int target;
    private final AtomicInteger chunkRequests = new AtomicInteger();
    private final AtomicInteger chunksAnswered = new AtomicInteger();
    private volatile int before = -1;
    private volatile Action action;
    private volatile Semaphore gate;
    private volatile java.util.function.UnaryOperator<byte[]> listings = java.util.function.UnaryOperator.identity();
    private final AtomicInteger manifestRequests = new AtomicInteger();

    /** Work to do before a chunk request is forwarded. */
    @FunctionalInterface
    public interface Action {
        void run() throws Exception;
    }

    public CatalogProxy(int targetPort) throws IOException {
        this.target = targetPort;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "catalog-proxy");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::relay);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Runs {@code work} before forwarding the {@code n}-th chunk request (counted from 1). */
    public void beforeChunkRequest(int n, Action work) {
        this.before = n;
        this.action = work;
    }

    /** From now on, answers {@code answered} more chunk requests, then holds the others until {@link #open()}. */
    public void holdAfter(int answered) {
        gate = new Semaphore(answered);
    }

    public void open() {
        Semaphore held = gate;
        gate = null;
        if (held != null) {
            held.release(1_000_000);
        }
    }

    /** From now on, every page of a listing ({@code GET /parcels}) is passed to the client as {@code rewrite} makes it. */
    public void rewriteListings(java.util.function.UnaryOperator<byte[]> rewrite) {
        this.listings = rewrite;
    }

    /** How many manifests were asked for. */
    public int manifestRequests() {
        return manifestRequests.get();
    }

    public int chunkRequests() {
        return chunkRequests.get();
    }

    public int chunksAnswered() {
        return chunksAnswered.get();
    }

    private void relay(HttpExchange exchange) throws IOException {
        try (exchange) {
            boolean chunk = exchange.getRequestURI().getPath().startsWith("/parcels/chunks/");
            boolean listing = exchange.getRequestURI().getPath().equals("/parcels");
            if (exchange.getRequestURI().getPath().equals("/parcels/manifest")) {
                manifestRequests.incrementAndGet();
            }
            if (chunk) {
                int n = chunkRequests.incrementAndGet();
                if (n == before) {
                    action.run();
                }
                Semaphore held = gate;
                if (held != null) {
                    held.acquire();
                }
            }
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + target + exchange.getRequestURI()));
            exchange.getRequestHeaders().forEach((name, values) -> {
                if (name.equalsIgnoreCase("If-Match") || name.equalsIgnoreCase("Authorization") || name.equalsIgnoreCase("Range")) {
                    values.forEach(v -> request.header(name, v));
                }
            });
            HttpResponse<byte[]> answer = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            answer.headers().map().forEach((name, values) -> {
                if (name.equalsIgnoreCase("ETag") || name.equalsIgnoreCase("Content-Type")) {
                    exchange.getResponseHeaders().put(name, values);
                }
            });
            byte[] body = listing && answer.statusCode() == 200 ? listings.apply(answer.body()) : answer.body();
            exchange.sendResponseHeaders(answer.statusCode(), body.length == 0 ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
            if (chunk && answer.statusCode() == 200) {
                chunksAnswered.incrementAndGet();
            }
        } catch (Exception e) {
            exchange.sendResponseHeaders(502, -1);
        }
    }

    @Override
    public void close() {
        open();
        server.stop(0);
    }
}
