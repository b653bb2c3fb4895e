package io.caravan.sender;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The sender's side of the HTTP protocol (DESIGN §3) over the JDK HTTP client (HTTP/1.1,
 * keep-alive, one connection per concurrent request). Every failure is a {@link ShipException}
 * carrying the status and the receiver's JSON message.
 */
public final class ReceiverClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Status used for a failed TLS handshake (as nginx does): not retried, trying again cannot help. */
    static final int TLS_FAILURE = 495;

    private final URI base;
    private final String token;
    private final HttpClient http;
    private final Duration timeout;

    public ReceiverClient(String baseUrl, String token, Duration timeout) {
        String url = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.base = URI.create(url);
        if (base.getScheme() == null || !base.getScheme().startsWith("http")) {
            throw new IllegalArgumentException("receiver URL '" + baseUrl + "' must start with http:// or https://");
        }
        this.token = token == null || token.isBlank() ? null : token;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    public String url() {
        return base.toString();
    }

    /** Starts a session; returns the receiver's answer ({@code session_id}, {@code expires_at}, ...). */
    public JsonNode start(Map<String, Object> options) {
        return json(send("POST", "/start", HttpRequest.BodyPublishers.ofString(write(options)), null, 201));
    }

    /** Chunk index → SHA-256 of what the receiver holds for the session. */
    public Map<Integer, String> status(String sid) {
        JsonNode chunks = json(send("GET", "/status/" + sid, HttpRequest.BodyPublishers.noBody(), null, 200)).path("chunks");
        Map<Integer, String> held = new HashMap<>();
        chunks.fields().forEachRemaining(e -> held.put(Integer.parseInt(e.getKey()), e.getValue().asText()));
        return held;
    }

    /**
     * Uploads one chunk. Bodies go through {@link java.net.HttpURLConnection} in fixed-length
     * streaming mode: written straight from the array to the socket, over a kept-alive connection,
     * it moves large bodies with about half the CPU of the JDK's asynchronous client.
     */
    public void put(String sid, int index, byte[] body, String sha256) {
        String path = "/upload/" + sid + "/" + index;
        try {
            java.net.HttpURLConnection connection = (java.net.HttpURLConnection) URI.create(base + path).toURL().openConnection();
            connection.setRequestMethod("PUT");
            connection.setConnectTimeout(10_000);
            connection.setReadTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            connection.setDoOutput(true);
            connection.setFixedLengthStreamingMode(body.length);
            connection.setRequestProperty("Content-Type", "application/octet-stream");
            connection.setRequestProperty("X-Chunk-Sha256", sha256);
            if (token != null) {
                connection.setRequestProperty("Authorization", "Bearer " + token);
            }
            try (java.io.OutputStream out = connection.getOutputStream()) {
                out.write(body);
            }
            int status = connection.getResponseCode();
            java.io.InputStream answer = status < 400 ? connection.getInputStream() : connection.getErrorStream();
            String text = answer == null ? "" : new String(answer.readAllBytes(), StandardCharsets.UTF_8);
            if (answer != null) {
                answer.close();
            }
            if (status != 200 && status != 201) {
                throw new ShipException(status, "PUT " + path + " answered " + status + ": " + message(text), null);
            }
        } catch (javax.net.ssl.SSLException e) {
            throw tlsFailure("PUT", path, e);
        } catch (IOException e) {
            throw new ShipException(0, "PUT " + base + path + ": receiver unreachable (" + e + ")", e);
        }
    }

    private ShipException tlsFailure(String method, String path, Exception e) {
        return new ShipException(TLS_FAILURE, method + " " + base + path + ": TLS handshake failed (" + e.getMessage()
                + "); if the receiver's certificate is self-signed, trust it with --truststore", e);
    }

    private static String message(String body) {
        try {
            return JSON.readTree(body).path("message").asText(body);
        } catch (IOException e) {
            return body;
        }
    }

    public JsonNode finish(String sid, String manifestJson) {
        return json(send("POST", "/finish/" + sid, HttpRequest.BodyPublishers.ofString(manifestJson), null, 200));
    }

    /** Which of these hashes the receiver already stores. */
    public JsonNode check(List<String> hashes) {
        return json(send("POST", "/check", HttpRequest.BodyPublishers.ofString(write(hashes)), null, 200)).path("found");
    }

    /** {@code GET /mirror}: the entries of a mirror ({@code path, type, size, mtime, mode, target, sha256}). */
    public JsonNode mirror(String name, boolean checksum) {
        return json(send("GET", "/mirror?name=" + encode(name) + (checksum ? "&checksum=true" : ""),
                HttpRequest.BodyPublishers.noBody(), null, 200)).path("entries");
    }

    /** {@code POST /mirror/changes}: renames and deletions inside a mirror; returns what was done. */
    public JsonNode mirrorChanges(String name, Map<String, Object> changes) {
        return json(send("POST", "/mirror/changes?name=" + encode(name),
                HttpRequest.BodyPublishers.ofString(write(changes)), null, 200));
    }

    /** {@code DELETE /sessions/{sid}}: abandons a session and its chunks. */
    public void delete(String sid) {
        send("DELETE", "/sessions/" + sid, HttpRequest.BodyPublishers.noBody(), null, 204, 404, 410);
    }

    private static String encode(String text) {
        return java.net.URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }


    private String send(String method, String path, HttpRequest.BodyPublisher body, String sha256, int... ok) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout)
                .method(method, body).header("Content-Type", method.equals("PUT") ? "application/octet-stream" : "application/json");
        if (sha256 != null) {
            request.header("X-Chunk-Sha256", sha256);
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (javax.net.ssl.SSLException e) {
            throw tlsFailure(method, path, e);
        } catch (IOException e) {
            if (e.getCause() instanceof javax.net.ssl.SSLException ssl) {
                throw tlsFailure(method, path, ssl);
            }
            throw new ShipException(0, method + " " + base + path + ": receiver unreachable (" + e + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ShipException(0, method + " " + base + path + ": interrupted", e);
        }
        for (int status : ok) {
            if (response.statusCode() == status) {
                return response.body();
            }
        }
        throw new ShipException(response.statusCode(), method + " " + path + " answered " + response.statusCode() + ": "
                + message(response.body()), null);
    }

    private static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new ShipException(502, "the receiver's answer is not JSON: " + body, e);
        }
    }

    private static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
