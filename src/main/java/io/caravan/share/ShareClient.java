package io.caravan.share;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.CaravanException;
import io.caravan.fs.NameRules;
import io.caravan.sync.SyncEntry;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;

/**
 * A follower's calls to one share ({@code http://host:port/shares/<name>}): its listing, its
 * change log after a cursor (long-polled), and its files. Every path the server names is checked
 * against the {@link NameRules} before it is used: an entry or event that breaks them is refused
 * (reported through {@code refused}) and left out, so a hostile server can never name a place outside
 * the follower's folder.
 */
public final class ShareClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The server answered 410: the cursor is older than its log (or from before a reset of it). */
    public static final class CursorGoneException extends IOException {
        CursorGoneException(String message) {
            super(message);
        }
    }

    /** The server refused the follower (401/403/404): retrying will not help until the user changes something. */
    public static final class ShareRefusedException extends CaravanException {
        ShareRefusedException(String message) {
            super(message);
        }

        @Override
        public String code() {
            return "share_refused";
        }
    }

    /** The events after a cursor and the cursor to ask from next. */
    public record Events(long latest, List<ShareEvent> events) {
    }

    private final URI share;
    private final String token;
    private final String follower;
    private final HttpClient http;
    private final Consumer<String> refused;

    /** A client of {@code url} (a share's URL); {@code follower} names this follower to the server. */
    public ShareClient(String url, String token, String follower, SSLContext ssl, Consumer<String> refused) {
        this.share = shareUri(url);
        this.token = token;
        this.follower = follower == null ? null : follower.replaceAll("[^\\x20-\\x7e]", "?"); // a header value is ASCII
        this.refused = refused;
        HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10));
        if (ssl != null) {
            builder.sslContext(ssl);
        }
        this.http = builder.build();
    }

    /** Checks that {@code url} names a share ({@code http(s)://host:port/shares/<name>}); returns it without a trailing slash. */
    public static URI shareUri(String url) {
        String text = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        URI uri;
        try {
            uri = URI.create(text.contains("://") ? text : "http://" + text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--from '" + url + "' is not a URL: give http://host:8834/shares/<name>");
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        if (!path.matches("/shares/[^/]+")) {
            throw new IllegalArgumentException("--from '" + url + "' names no share: give http://host:8834/shares/<name>"
                    + " (GET http://host:8834/shares lists them)");
        }
        return uri;
    }

    public String name() {
        return share.getPath().substring("/shares/".length());
    }

    @Override
    public String toString() {
        return share.toString();
    }

    /** The share's tree and the sequence number it is at; with {@code checksum}, SHA-256s of the files. */
    public ShareLog.Listing listing(boolean checksum) throws IOException {
        JsonNode body = JSON.readTree(get("/listing" + (checksum ? "?checksum=true" : ""), Duration.ofMinutes(10)));
        Map<String, SyncEntry> entries = new TreeMap<>();
        for (JsonNode node : body.path("entries")) {
            SyncEntry entry;
            try {
                entry = SyncEntry.fromJson(node);
            } catch (RuntimeException e) {
                refused.accept("an entry the server listed is malformed (" + node + ")");
                continue;
            }
            if (acceptable(entry.path()) && (entry.type() != SyncEntry.Type.LINK || entry.target() != null)) {
                entries.put(entry.path(), entry);
            }
        }
        return new ShareLog.Listing(body.path("sequence").asLong(), entries);
    }

    /** The events after {@code since}, waiting up to {@code wait} for one; {@link CursorGoneException} on 410. */
    public Events events(long since, Duration wait) throws IOException {
        JsonNode body = JSON.readTree(get("/events?since=" + since + "&timeout=" + wait.toSeconds(), wait.plusSeconds(30)));
        List<ShareEvent> events = new ArrayList<>();
        long latest = since;
        for (JsonNode node : body.path("events")) {
            ShareEvent event;
            try {
                event = ShareEvent.fromJson(node);
            } catch (RuntimeException e) {
                refused.accept("a change the server sent is malformed (" + node + ")");
                continue;
            }
            latest = Math.max(latest, event.seq());
            boolean ok = event.type() == ShareEvent.Type.RESET
                    || acceptable(event.path()) && (event.from() == null || acceptable(event.from()))
                    && (event.entry() == null || event.entry().path().equals(event.path()));
            if (ok) {
                events.add(event);
            }
        }
        return new Events(Math.max(latest, body.path("latest").asLong(latest)), events);
    }

    /**
     * Writes the content of the share's file {@code entry} into {@code out}. A transfer cut short is
     * continued where it stopped ({@code Range}), up to 3 times, as long as the file is the same one
     * ({@code ETag}); a file that changed meanwhile fails the fetch (its change event follows).
     */
    public void fetch(SyncEntry entry, java.io.OutputStream out) throws IOException {
        String path = "/files?path=" + URLEncoder.encode(entry.path(), StandardCharsets.UTF_8).replace("+", "%20");
        long written = 0;
        String etag = null;
        for (int attempt = 0; ; attempt++) {
            HttpResponse<InputStream> response;
            try {
                response = send(path, Duration.ofHours(12), HttpResponse.BodyHandlers.ofInputStream(),
                        written > 0 ? "bytes=" + written + "-" : null);
            } catch (java.io.InterruptedIOException e) {
                throw e;
            } catch (IOException e) {
                if (attempt >= 3) {
                    throw e;
                }
                continue;
            }
            try (InputStream in = response.body()) {
                if (response.statusCode() != (written > 0 ? 206 : 200)) {
                    throw failure(response.statusCode(), new String(in.readNBytes(4096), StandardCharsets.UTF_8), "file " + entry.path());
                }
                String tag = response.headers().firstValue("ETag").orElse(null);
                if (etag != null && !etag.equals(tag)) {
                    throw new IOException(entry.path() + " changed on the server while it was fetched; fetched again at its change");
                }
                etag = tag;
                byte[] buffer = new byte[1 << 16];
                try {
                    for (int n; (n = in.read(buffer)) >= 0; ) {
                        out.write(buffer, 0, n);
                        written += n;
                    }
                    return;
                } catch (java.io.InterruptedIOException e) {
                    throw e;
                } catch (IOException cut) {
                    if (attempt >= 3) {
                        throw cut;
                    }
                    // cut short: continue from what arrived
                }
            }
        }
    }

    private boolean acceptable(String path) {
        String problem = NameRules.problem(path);
        if (problem != null || path.endsWith("/")) {
            refused.accept("refused the server's path '" + NameRules.printable(path) + "': "
                    + (problem != null ? problem : "a path must name an entry"));
            return false;
        }
        return true;
    }

    private String get(String suffix, Duration timeout) throws IOException {
        HttpResponse<String> response = send(suffix, timeout, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (response.statusCode() != 200) {
            throw failure(response.statusCode(), response.body(), suffix);
        }
        return response.body();
    }

    private <T> HttpResponse<T> send(String suffix, Duration timeout, HttpResponse.BodyHandler<T> handler) throws IOException {
        return send(suffix, timeout, handler, null);
    }

    private <T> HttpResponse<T> send(String suffix, Duration timeout, HttpResponse.BodyHandler<T> handler, String range)
            throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(share + suffix)).timeout(timeout).GET();
        if (range != null) {
            request.header("Range", range);
        }
        if (token != null && !token.isBlank()) {
            request.header("Authorization", "Bearer " + token);
        }
        if (follower != null) {
            request.header("X-Caravan-Follower", follower);
        }
        // sent asynchronously and waited for: an interrupt (the follower stopping) ends the wait at once
        java.util.concurrent.CompletableFuture<HttpResponse<T>> answer = http.sendAsync(request.build(), handler);
        try {
            return answer.get();
        } catch (InterruptedException e) {
            answer.cancel(true);
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while asking " + share);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause());
        }
    }

    private IOException failure(int status, String body, String what) {
        String message;
        try {
            message = JSON.readTree(body).path("message").asText(body);
        } catch (IOException | RuntimeException e) {
            message = body;
        }
        if (status == 410) {
            return new CursorGoneException(message);
        }
        if (status == 401 || status == 403 || status == 404 && !what.startsWith("file ")) {
            throw new ShareRefusedException(share + " answered " + status + " for " + what + ": " + message
                    + (status == 401 ? " (give the server's token with --token)" : ""));
        }
        return new IOException(share + " answered " + status + " for " + what + ": " + message);
    }
}
