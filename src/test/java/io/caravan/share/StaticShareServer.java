package io.caravan.share;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** A share server on 127.0.0.1 that gives the same listing, the same changes and the same bytes for every file, whatever is asked. */
final class StaticShareServer {

    private StaticShareServer() {
    }

    /** Started; serves {@code /shares/<share>/listing}, {@code .../events} and {@code .../files}. */
    static HttpServer start(String share, String listing, String events, String file) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/shares/" + share + "/listing", x -> answer(x, listing));
        server.createContext("/shares/" + share + "/events", x -> answer(x, events));
        server.createContext("/shares/" + share + "/files", x -> answer(x, file));
        server.start();
        return server;
    }

    private static void answer(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
