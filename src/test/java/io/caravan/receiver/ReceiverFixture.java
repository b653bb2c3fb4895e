package io.caravan.receiver;

import io.caravan.app.CaravanMain;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.main.Main;

/**
 * A real receiver for tests: Camel main with routes/receiver.camel.yaml on 127.0.0.1 (or the loopback
 * address {@code caravan.receiver.host} names) and a free port, publishing into a temporary inbox, and a real HTTP client to talk to it.
 */
public final class ReceiverFixture implements AutoCloseable {

    private final Path inbox;
    private final Map<String, String> properties;
    private final int port;
    /** The loopback address it listens on: 127.0.0.1 unless {@code caravan.receiver.host} names another. */
    private final String host;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private Main main;

    public ReceiverFixture(Path inbox, Map<String, String> extraProperties) throws Exception {
        this.inbox = inbox;
        this.port = freePort();
        this.properties = new LinkedHashMap<>(extraProperties);
        properties.putIfAbsent("caravan.role", "receiver"); // a receiver builds no sender beans (no data/.sender here)
        properties.putIfAbsent("caravan.receiver.host", "127.0.0.1");
        this.host = properties.get("caravan.receiver.host");
        properties.put("caravan.receiver.port", String.valueOf(port));
        properties.put("caravan.receiver.inbox", inbox.toString());
        start();
    }

    public ReceiverFixture(Path inbox) throws Exception {
        this(inbox, Map.of());
    }

    private void start() throws Exception {
        main = CaravanMain.create(List.of("receiver"), properties);
        main.start();
    }

    /** Stops the receiver and starts a new one on the same inbox and port (a clean restart). */
    public void restart() throws Exception {
        main.stop();
        start();
    }

    /**
     * A port free now on every address, for a server a test starts later. It is taken below the system's range
     * of ephemeral ports ({@code net.ipv4.ip_local_port_range}, 32768-60999 by default), from which every client
     * connection of this machine takes its own port: a port from that range, free when it was picked, was at
     * times taken by some test's client connection before the server bound it ("in use by another program").
     */
    public static int freePort() throws IOException {
        int below = ephemeralPortsFrom();
        for (int attempt = 0; attempt < 200 && below > 10_001; attempt++) {
            int port = 10_000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(below - 10_000);
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(false);
                socket.bind(new java.net.InetSocketAddress(port));
                return port;
            } catch (java.net.BindException taken) {
                // another one
            }
        }
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** The lowest ephemeral port of this machine (32768 when it cannot be read). */
    private static int ephemeralPortsFrom() {
        try {
            String range = java.nio.file.Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
            return Integer.parseInt(range.split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }

    public int port() {
        return port;
    }

    public Path inbox() {
        return inbox;
    }

    /** The running receiver's Camel context (to suspend or stop its routes). */
    public org.apache.camel.CamelContext context() {
        return main.getCamelContext();
    }

    public URI uri(String path) {
        return URI.create("http://" + host + ":" + port + path);
    }

    public HttpResponse<String> send(String method, String path, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> post(String path, String json) throws Exception {
        return send("POST", path, json == null ? null : json.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                "Content-Type", "application/json");
    }

    public HttpResponse<String> put(String path, byte[] body, String... headers) throws Exception {
        return send("PUT", path, body, headers);
    }

    public HttpResponse<String> get(String path) throws Exception {
        return send("GET", path, null);
    }

    @Override
    public void close() throws Exception {
        main.stop();
    }
}
