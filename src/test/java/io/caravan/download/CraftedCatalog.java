package io.caravan.download;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;

/** A server on 127.0.0.1 speaking as much of the catalog API as a test crafts: one handler per path. */
public final class CraftedCatalog implements AutoCloseable {

    private final HttpServer server;

    public CraftedCatalog(Map<String, HttpHandler> handlers) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        handlers.forEach(server::createContext);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Answers 200 with {@code body} and an ETag. */
    public static void answer(HttpExchange exchange, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("ETag", "\"crafted\"");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** A handler that answers every request 200 with {@code body}, counting the requests in {@code requests}. */
    public static HttpHandler counted(java.util.concurrent.atomic.AtomicInteger requests, byte[] body) {
        return exchange -> {
            requests.incrementAndGet();
            answer(exchange, body);
        };
    }

    /** The index of the chunk a {@code GET /parcels/chunks/<index>} asks for. */
    public static int chunkIndex(HttpExchange exchange) {
        String path = exchange.getRequestURI().getPath();
        return Integer.parseInt(path.substring(path.lastIndexOf('/') + 1));
    }

    /** Answers {@code status} with the JSON {@code json}. */
    public static void json(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
