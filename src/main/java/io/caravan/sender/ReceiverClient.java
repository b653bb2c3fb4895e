package io.caravan.sender;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.bandwidth.TokenBucket;
import java.io.IOException;
import java.io.InputStream;
import io.caravan.sync.SyncEntry;
import io.caravan.util.HttpConnections;
import io.caravan.util.ListingJson;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocketFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sender's side of the HTTP protocol (README "HTTP API") over HTTP/1.1 with kept-alive connections,
 * one per concurrent request. Every failure is a {@link ShipException} carrying the status and the
 * receiver's JSON message.
 */
public final class ReceiverClient {

    /**
     * The most of an answer read to a start, finish, check, upload, deletion or mirror change (a few
     * hundred bytes from a receiver; a finish's refused references and a mirror change's lists stay far
     * below), and of a refusal's body.
     */
    static final int SMALL_ANSWER_BYTES = 1 << 20;
    /** What a status answer may take per chunk of the session ({@code "123456":"<64 hex digits>",}), above {@link #SMALL_ANSWER_BYTES}. */
    static final int STATUS_BYTES_PER_CHUNK = 96;
    /** The most entries of a mirror's listing taken, read one by one as they arrive: the local tree is held as big. */
    static final long MAX_MIRROR_ENTRIES = 2_000_000;

    private static final Logger LOG = LoggerFactory.getLogger(ReceiverClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Status used for a failed TLS handshake (as nginx does): not retried, trying again cannot help. */
    static final int TLS_FAILURE = 495;

    /**
     * The longest a small request (a start, a status, a check, a deletion) waits for a byte of its answer:
     * a receiver answers them at once. Uploads and finishes keep the client's own timeout (a finish
     * verifies and publishes, which takes long for a large parcel).
     */
    static final Duration SMALL_REQUEST_TIMEOUT = Duration.ofSeconds(60);
    /** After how long, and then how often, a request still waiting for its answer is named in a warning. */
    static final Duration STALL_NOTE = Duration.ofSeconds(30);
    /**
     * Names the requests still waiting for their answers, and repeats the disconnects of a stopped client's
     * requests ({@link OpenRequests}); one daemon thread for all clients.
     */
    private static final java.util.concurrent.ScheduledThreadPoolExecutor STALL_WATCH = stallWatch();

    /** Renames and deletions sent in one {@code /mirror/changes} request at most; no receiver takes fewer (RequestLimits). */
    public static final int MIRROR_CHANGES_PER_REQUEST = 1000;

    private final URI base;
    private final String token;
    private final LongAdder bytesSent = new LongAdder();
    private final Duration timeout;
    /** After how long, and then every twice as long, a request still waiting is named; {@link #STALL_NOTE} unless set. */
    private volatile Duration firstStallNote = STALL_NOTE;
    /** The longest a small request waits for its answer; {@link #SMALL_REQUEST_TIMEOUT} unless set. */
    private volatile Duration smallRequestTimeout = SMALL_REQUEST_TIMEOUT;
    /** Trust for HTTPS receivers; null: the JDK's default. */
    private final SSLSocketFactory ssl;
    private final OpenRequests inFlight = new OpenRequests(STALL_WATCH);
    private volatile StopSignal stop = StopSignal.NONE;
    private volatile TokenBucket bandwidth = TokenBucket.UNLIMITED;
    /** Bytes of a request body written at once under a bandwidth limit. */
    private static final int LIMITED_SLICE = 64 * 1024;

    public ReceiverClient(String baseUrl, String token, Duration timeout) {
        this(baseUrl, token, timeout, null);
    }

    /** A client whose HTTPS calls trust what {@code ssl} trusts (null: the JDK's default trust). */
    public ReceiverClient(String baseUrl, String token, Duration timeout, SSLContext ssl) {
        this.ssl = ssl == null ? null : ssl.getSocketFactory();
        this.base = URI.create(normalize(baseUrl));
        if (base.getScheme() == null || !base.getScheme().startsWith("http") || base.getHost() == null) {
            throw new IllegalArgumentException("receiver URL '" + baseUrl + "' must be http://host:port or https://host:port");
        }
        this.token = token == null || token.isBlank() ? null : token;
        this.timeout = timeout;
    }

    /**
     * Sets when a request still waiting for its answer is first named ({@link #STALL_NOTE} by default) and
     * how long a small request waits for its answer ({@link #SMALL_REQUEST_TIMEOUT} by default); returns this client.
     */
    ReceiverClient answerWaits(Duration stallNote, Duration smallRequestTimeout) {
        this.firstStallNote = stallNote;
        this.smallRequestTimeout = smallRequestTimeout;
        return this;
    }

    /** A receiver address as given by a user: {@code host:port} means {@code http://host:port}; no trailing slash. */
    public static String normalize(String url) {
        String trimmed = url.trim();
        if (!trimmed.contains("://")) {
            trimmed = "http://" + trimmed;
        }
        return trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
    }

    public String url() {
        return base.toString();
    }

    /**
     * Ends this client's requests when {@code signal} is raised: those in flight are aborted within
     * moments, whatever they were doing (connecting, writing a body, waiting for an answer: see
     * {@link OpenRequests}), their callers getting a {@link TransferStoppedException}, and no new one starts.
     */
    public void abortOn(StopSignal signal) {
        this.stop = signal;
        signal.onRaise(inFlight::abort);
    }

    /** Starts a session; returns the receiver's answer ({@code session_id}, {@code expires_at}, ...). */
    public JsonNode start(Map<String, Object> options) {
        return exchange("POST", "/start", write(options), null, json(SMALL_ANSWER_BYTES), 201);
    }

    /**
     * What the receiver holds for a session: chunk index → SHA-256 while it is open, or its publish
     * result ({@code path, files, bytes, sha256}) once it was finished.
     */
    /** An open session's chunks (index to SHA-256) and kind ({@code raw} or {@code archive}), or a published one's result. */
    public record SessionStatus(Map<Integer, String> held, JsonNode published, String kind) {

        public boolean finished() {
            return published != null;
        }
    }

    /** {@code GET /status/{sid}} of a session of at most {@code maxChunks} chunks (its answer is read no further than that). */
    public SessionStatus status(String sid, long maxChunks) {
        long limit = SMALL_ANSWER_BYTES + Math.max(0, maxChunks) * STATUS_BYTES_PER_CHUNK;
        JsonNode answer = exchange("GET", "/status/" + sid, null, null, json(limit), 200);
        if (answer.path("finished").asBoolean(false)) {
            return new SessionStatus(Map.of(), answer, null);
        }
        Map<Integer, String> held = new HashMap<>();
        answer.path("chunks").fields().forEachRemaining(e -> held.put(Integer.parseInt(e.getKey()), e.getValue().asText()));
        return new SessionStatus(held, null, answer.path("kind").asText(null));
    }

    /** Request bodies (all parallel chunk uploads together) are written no faster than {@code limit} allows. */
    public void limit(TokenBucket limit) {
        this.bandwidth = limit;
    }

    /** What a receiver's answer to a chunk says of it: its work after the last byte, its body's time on the wire (0: not said). */
    public record ChunkAnswer(long workNanos, long bodyNanos) {
        static final ChunkAnswer UNSAID = new ChunkAnswer(0, 0);
    }

    /**
     * Uploads one chunk: written straight from the array to the socket (fixed-length streaming).
     * Returns what the receiver's answer says of its work on the chunk after its last byte had arrived
     * ({@code X-Chunk-Work-Micros}) and of the time from its head to its last byte ({@code X-Chunk-Body-Micros}).
     */
    public ChunkAnswer put(String sid, int index, byte[] body, String sha256) {
        ChunkAnswer answer = exchange("PUT", "/upload/" + sid + "/" + index, body, sha256, CHUNK_WORK, 200, 201);
        bytesSent.add(body.length);
        return answer;
    }

    /** The chunk bytes the receiver took from this client since it was made (the sender's console plots their rate). */
    public long bytesSent() {
        return bytesSent.sum();
    }

    private ShipException tlsFailure(String method, String path, Exception e) {
        return new ShipException(TLS_FAILURE, method + " " + base + path + ": TLS handshake failed (" + e.getMessage()
                + "); if the receiver's certificate is self-signed, trust it with --truststore", e);
    }

    /** What a sender's user does about a refused token, said after the receiver's own words. */
    private static final String GIVE_THE_TOKEN = "give the receiver's token with --token (caravan.sender.token)";

    /**
     * The receiver's own message from its JSON answer (for a 401 with what the sender's user does about it),
     * else what the status means when there is no body.
     */
    private static String message(int status, String body) {
        if (!body.isBlank()) {
            try {
                JsonNode answer = JSON.readTree(body);
                if (answer != null && answer.path("message").isTextual()) {
                    String said = BoundedAnswer.excerpt(answer.path("message").asText());
                    return status == 401 ? said + "; " + GIVE_THE_TOKEN : said;
                }
            } catch (IOException e) {
                // not JSON: not the receiver's own answer (a proxy, or Netty while a route is suspended)
            }
        }
        String meaning = switch (status) {
            case 401 -> "missing or wrong bearer token: " + GIVE_THE_TOKEN;
            case 404 -> "nothing answers at this path now: the receiver is starting or stopping (or this is not a Caravan"
                    + " receiver)";
            case 503 -> "the receiver is not taking requests right now (it is starting, stopping or busy); retry later";
            default -> null;
        };
        String raw = BoundedAnswer.excerpt(body);
        if (meaning == null) {
            return raw.isEmpty() ? "no message" : raw;
        }
        return raw.isEmpty() ? meaning : meaning + " (it answered: " + raw + ")";
    }

    public JsonNode finish(String sid, String manifestJson) {
        return finish(sid, manifestJson, Map.of());
    }

    /**
     * {@code POST /finish/{sid}} giving the publish options {@code options} again ({@code on_conflict},
     * {@code force}) in place of those the session was started with; none: the session's hold.
     */
    public JsonNode finish(String sid, String manifestJson, Map<String, String> options) {
        StringBuilder path = new StringBuilder("/finish/").append(sid);
        options.forEach((key, value) -> path.append(path.indexOf("?") < 0 ? '?' : '&').append(encode(key)).append('=')
                .append(encode(value)));
        return exchange("POST", path.toString(), manifestJson.getBytes(StandardCharsets.UTF_8), null, json(SMALL_ANSWER_BYTES), 200);
    }

    /** Which of these hashes the receiver already stores. */
    public JsonNode check(List<String> hashes) {
        return exchange("POST", "/check", write(hashes), null, json(SMALL_ANSWER_BYTES), 200).path("found");
    }

    /** {@code GET /mirror}: the entries of a mirror ({@code path, type, size, mtime, mode, target, sha256}). */
    public Map<String, SyncEntry> mirror(String name, boolean checksum) {
        String path = "/mirror?name=" + encode(name) + (checksum ? "&checksum=true" : "");
        return exchange("GET", path, null, null, (answer, what) -> {
            Map<String, SyncEntry> entries = new java.util.TreeMap<>();
            ListingJson.read(answer, MAX_MIRROR_ENTRIES, "the listing of mirror '" + name + "' from " + url(),
                    node -> {
                        SyncEntry entry = SyncEntry.fromJson(node);
                        entries.put(entry.path(), entry);
                    });
            return entries;
        }, 200);
    }

    /**
     * {@code POST /mirror/changes}: renames then deletions inside a mirror, in requests of at most
     * {@link #MIRROR_CHANGES_PER_REQUEST} changes (a receiver takes at least that many per request);
     * returns what was done, the answers of all requests merged ({@code renamed}, {@code deleted}, {@code skipped}).
     */
    public JsonNode mirrorChanges(String name, Map<String, Object> changes) {
        List<?> renames = changes.get("rename") instanceof List<?> list ? list : List.of();
        List<?> deletes = changes.get("delete") instanceof List<?> list ? list : List.of();
        com.fasterxml.jackson.databind.node.ObjectNode merged = JSON.createObjectNode();
        for (String field : List.of("renamed", "deleted", "skipped")) {
            merged.putArray(field);
        }
        int total = renames.size() + deletes.size();
        for (int from = 0; from < total || from == 0; from += MIRROR_CHANGES_PER_REQUEST) {
            int to = Math.min(total, from + MIRROR_CHANGES_PER_REQUEST);
            Map<String, Object> batch = new java.util.LinkedHashMap<>();
            batch.put("rename", renames.subList(Math.min(from, renames.size()), Math.min(to, renames.size())));
            batch.put("delete", deletes.subList(Math.max(0, from - renames.size()), Math.max(0, to - renames.size())));
            JsonNode answer = exchange("POST", "/mirror/changes?name=" + encode(name), write(batch), null,
                    json(SMALL_ANSWER_BYTES), 200);
            for (String field : List.of("renamed", "deleted", "skipped")) {
                answer.path(field).forEach(((com.fasterxml.jackson.databind.node.ArrayNode) merged.get(field))::add);
            }
        }
        return merged;
    }

    /** {@code DELETE /sessions/{sid}}: abandons a session and its chunks (one a finish published stays published: 409). */
    public void delete(String sid) {
        exchange("DELETE", "/sessions/" + sid, null, null, DISCARD, 204, 404, 409, 410);
    }

    private static java.util.concurrent.ScheduledThreadPoolExecutor stallWatch() {
        var watch = new java.util.concurrent.ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "caravan-answer-watch");
            thread.setDaemon(true);
            return thread;
        });
        watch.setRemoveOnCancelPolicy(true);
        return watch;
    }

    /** How long a request to {@code path} waits for a byte of its answer. */
    private Duration readTimeout(String path) {
        boolean small = path.equals("/start") || path.equals("/check") || path.startsWith("/status/")
                || path.startsWith("/sessions/");
        return small && smallRequestTimeout.compareTo(timeout) < 0 ? smallRequestTimeout : timeout;
    }

    /**
     * Says after the stall note ({@link #STALL_NOTE} by default), and then every twice as long, that the request to {@code path} still has no
     * answer: in a warning, except for a finish, which verifies and publishes and legitimately takes long
     * for a large parcel, so its wait is noted at INFO.
     */
    private java.util.concurrent.ScheduledFuture<?> watchForAnswer(String path) {
        Duration note = firstStallNote;
        long started = System.nanoTime();
        String attempt = Retry.currentAttempt();
        String what = base + path;
        org.slf4j.event.Level level = path.startsWith("/finish/") ? org.slf4j.event.Level.INFO : org.slf4j.event.Level.WARN;
        return STALL_WATCH.scheduleAtFixedRate(() -> LOG.atLevel(level).log("no answer from {} for {} s, still waiting{}", what,
                        Math.round((System.nanoTime() - started) / 1e9), attempt == null ? "" : " (" + attempt + ")"),
                note.toMillis(), 2 * note.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private static String encode(String text) {
        return java.net.URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * One request over {@link HttpURLConnection} (kept-alive connections, reused across threads);
     * answers the body when the status is one of {@code ok}. It costs about half the CPU of the JDK's
     * asynchronous HTTP client for large bodies, and does not load that client's classes and TLS
     * context at every start of a command.
     */
    /** Reads a successful answer's body; {@code what} names the request ("POST http://host:port/start"). */
    @FunctionalInterface
    private interface AnswerReader<T> {
        T read(InputStream answer, String what) throws IOException;

        /** As {@link #read(InputStream, String)}, with the answer's headers at hand on {@code connection}. */
        default T read(HttpURLConnection connection, InputStream answer, String what) throws IOException {
            return read(answer, what);
        }
    }

    /** One JSON value of at most {@code limit} bytes, else an {@link UnreadableAnswerException}. */
    private static AnswerReader<JsonNode> json(long limit) {
        return (answer, what) -> BoundedAnswer.json(answer, limit, what);
    }

    /** An answer whose content is not used, read to its end (so the connection is kept) up to {@link #SMALL_ANSWER_BYTES}. */
    private static final AnswerReader<Void> DISCARD = (answer, what) -> {
        BoundedAnswer.discard(answer, SMALL_ANSWER_BYTES, what);
        return null;
    };

    /** The answer to a chunk discarded; what it gives is what its headers say of the receiver's work ({@link ChunkAnswer}). */
    private static final AnswerReader<ChunkAnswer> CHUNK_WORK = new AnswerReader<>() {
        @Override
        public ChunkAnswer read(InputStream answer, String what) throws IOException {
            DISCARD.read(answer, what);
            return ChunkAnswer.UNSAID;
        }

        @Override
        public ChunkAnswer read(HttpURLConnection connection, InputStream answer, String what) throws IOException {
            DISCARD.read(answer, what);
            return new ChunkAnswer(micros(connection, "X-Chunk-Work-Micros"), micros(connection, "X-Chunk-Body-Micros"));
        }

        /** A header's microseconds in nanoseconds; 0 when absent or not a number (not a receiver's own answer). */
        private static long micros(HttpURLConnection connection, String header) {
            String micros = connection.getHeaderField(header);
            try {
                return micros == null ? 0L : Math.max(0, java.util.concurrent.TimeUnit.MICROSECONDS.toNanos(Long.parseLong(micros.trim())));
            } catch (NumberFormatException e) {
                return 0L;
            }
        }
    };

    private <T> T exchange(String method, String path, byte[] body, String sha256, AnswerReader<T> reader, int... ok) {
        HttpURLConnection[] connection = new HttpURLConnection[1];
        try {
            return exchange(method, path, body, sha256, connection, reader, ok);
        } catch (RuntimeException e) {
            // a request aborted by a stop fails as its connection was closed under it, in the JDK's code too
            stop.check(method + " " + path);
            throw e;
        } finally {
            if (connection[0] != null) {
                inFlight.leave(connection[0]);
            }
        }
    }

    private <T> T exchange(String method, String path, byte[] body, String sha256, HttpURLConnection[] opened,
                           AnswerReader<T> reader, int... ok) {
        long started = System.nanoTime();
        HttpURLConnection connection;
        try {
            connection = HttpConnections.open(base + path, ssl, readTimeout(path), token);
            opened[0] = connection;
            inFlight.enter(connection);
            stop.check(method + " " + path);
            connection.setRequestMethod(method);
            connection.setRequestProperty("Content-Type", method.equals("PUT") ? "application/octet-stream" : "application/json");
            if (sha256 != null) {
                connection.setRequestProperty("X-Chunk-Sha256", sha256);
            }
            if (body != null) {
                connection.setDoOutput(true);
                if (!firstContact(path)) {
                    // streamed from the array; the JDK then never repeats a request by itself, but drops a 401's body
                    connection.setFixedLengthStreamingMode(body.length);
                }
            }
            connection.connect();
        } catch (SSLException e) {
            throw tlsFailure(method, path, e);
        } catch (java.net.ConnectException | java.net.UnknownHostException | java.net.NoRouteToHostException
                 | java.net.SocketTimeoutException e) {
            throw new NoReceiverException(url(), e);
        } catch (IOException e) {
            throw unreachable(method, path, e);
        }
        java.util.concurrent.ScheduledFuture<?> stallNote = null;
        try {
            if (body != null) {
                try (OutputStream out = connection.getOutputStream()) {
                    write(out, body);
                }
            }
            // a body's write ended by a stop may return as if it went whole: then no answer is waited for
            stop.check(method + " " + path);
            stallNote = watchForAnswer(path);
            // a receiver answers once its work is done, silent meanwhile for at most the read timeout: twice that
            // bounds one that drips its head (a line now and then, never silent long enough for the timeout)
            int status = HttpConnections.status(connection, readTimeout(path).multipliedBy(2));
            stallNote.cancel(false);
            if (LOG.isDebugEnabled()) {
                LOG.debug("{} {}{} ({} bytes) answered {} in {} ms", method, base, path, body == null ? 0 : body.length, status,
                        (System.nanoTime() - started) / 1_000_000);
            }
            for (int expected : ok) {
                if (status == expected) {
                    try (InputStream answer = connection.getInputStream()) {
                        return reader.read(connection, answer, method + " " + base + path);
                    } catch (ListingJson.TooManyEntriesException e) {
                        throw new ShipException(413, method + " " + base + path + ": " + e.getMessage(), e); // not retried
                    } catch (UnreadableAnswerException e) {
                        connection.disconnect(); // the rest of that answer is not read, nor the connection used again
                        throw e;
                    }
                }
            }
            String text;
            try (InputStream answer = status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
                text = answer == null ? "" : new String(answer.readNBytes(64 << 10), StandardCharsets.UTF_8); // an error is short
                if (answer != null && answer.read() >= 0) {
                    connection.disconnect(); // longer than any refusal of a receiver: the rest is not read
                }
            }
            throw refused(method, path, status, text);
        } catch (java.net.HttpRetryException e) {
            // a 401 (or 407) to a streamed body: the JDK drops the answer's body
            throw refused(method, path, e.responseCode(), "");
        } catch (SSLException e) {
            throw tlsFailure(method, path, e);
        } catch (IOException e) {
            throw unreachable(method, path, e);
        } finally {
            if (stallNote != null) {
                stallNote.cancel(false);
            }
        }
    }

    /** Writes {@code body} whole, or slice by slice ({@link TokenBucket#slice}) as the bandwidth limit allows. */
    private void write(OutputStream out, byte[] body) throws IOException {
        TokenBucket limit = bandwidth;
        if (limit == TokenBucket.UNLIMITED) {
            out.write(body);
            return;
        }
        for (int from = 0, length; from < body.length; from += length) {
            length = Math.min(limit.slice(LIMITED_SLICE), body.length - from);
            try {
                limit.acquire(length);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while waiting for the bandwidth limit");
            }
            out.write(body, from, length);
        }
    }

    /**
     * The requests a wrong token meets first ({@code /start}, {@code /check}) send their small bodies
     * buffered, so that the receiver's answer to a refusal stays readable. The JDK may repeat such a
     * request on a broken kept-alive connection; for these two that costs at most an unused session.
     */
    private static boolean firstContact(String path) {
        return path.equals("/start") || path.equals("/check");
    }

    /**
     * A status the request did not expect, with the receiver's message. An answer without a body is
     * not Caravan's own (Caravan always explains itself in JSON): a 404 then comes from a receiver that
     * is starting or stopping, so it is retried like a 503.
     */
    /** A refused request as a {@link ShipException}: the receiver's error code, message and refused references. */
    private static ShipException refused(String method, String path, int status, String text) {
        int effective = status == 404 && text.isBlank() ? 503 : status;
        String what = method + " " + path + " answered " + status + ": " + message(status, text);
        JsonNode answer;
        try {
            answer = text.isBlank() ? null : JSON.readTree(text);
        } catch (IOException e) {
            answer = null;
        }
        if (answer == null || !answer.isObject()) {
            return new ShipException(effective, what, null);
        }
        List<String> references = new ArrayList<>();
        answer.path("references").forEach(r -> references.add(r.asText()));
        String error = answer.path("error").isTextual() ? answer.path("error").asText() : null;
        return new ShipException(effective, error, references, what, null);
    }

    private ShipException unreachable(String method, String path, IOException e) {
        if (e.getCause() instanceof SSLException ssl) {
            return tlsFailure(method, path, ssl);
        }
        if (e instanceof java.net.SocketTimeoutException) {
            return new ShipException(0, method + " " + base + path + ": no answer within "
                    + readTimeout(path).toSeconds() + " s", e);
        }
        return new ShipException(0, method + " " + base + path + ": receiver unreachable (" + e + ")", e);
    }

    private static byte[] write(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
