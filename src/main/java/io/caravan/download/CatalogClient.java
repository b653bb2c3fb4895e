package io.caravan.download;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.fs.NameRules;
import io.caravan.sender.NoReceiverException;
import io.caravan.util.HttpConnections;
import io.caravan.bandwidth.TokenBucket;
import io.caravan.pack.ChunkInfo;
import io.caravan.pack.Manifest;
import io.caravan.pack.ManifestException;
import io.caravan.sender.ShipException;
import io.caravan.unpack.ChunkVerificationException;
import io.caravan.util.MinimumRateInputStream;
import io.caravan.util.PositionedDirectWriter;
import io.caravan.util.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;

/**
 * The download side of the catalog API: a parcel's manifest with its ETag, and chunks streamed to disk
 * while they are hashed. A chunk lands under its final name only when its size and SHA-256 match the
 * manifest, so a file in the chunk folder is always a verified chunk. Failures are
 * {@link ShipException}s with the server's status and message (412: the parcel was published again).
 */
public final class CatalogClient {

    private volatile TokenBucket bandwidth = TokenBucket.UNLIMITED;

    /** The slowest answer taken, in bytes per second, averaged over {@link #RATE_WINDOW}. */
    static final long MINIMUM_RATE = 1024;
    /** How long the client waits for an answer's bytes before it checks the {@link #MINIMUM_RATE}. */
    static final Duration RATE_WINDOW = Duration.ofSeconds(60);
    /** The most parcels one {@link #listing} takes: a catalog that lists more is broken or needs a narrower prefix. */
    static final int MAX_LISTED_PARCELS = 1_000_000;
    private volatile int maxListed = MAX_LISTED_PARCELS;
    private volatile long minimumRate = MINIMUM_RATE;
    private volatile Duration rateWindow = RATE_WINDOW;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BLOCK = 256 * 1024;

    private final String base;
    private final String token;
    private final Duration timeout;
    private final javax.net.ssl.SSLSocketFactory ssl;

    public CatalogClient(String baseUrl, String token, Duration timeout) {
        this(baseUrl, token, timeout, null);
    }

    /** A client whose HTTPS calls trust what {@code ssl} trusts (null: the JDK's default trust). */
    public CatalogClient(String baseUrl, String token, Duration timeout, javax.net.ssl.SSLContext ssl) {
        this.ssl = ssl == null ? null : ssl.getSocketFactory();
        this.base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        if (!base.startsWith("http://") && !base.startsWith("https://")) {
            throw new IllegalArgumentException("server URL '" + baseUrl + "' must start with http:// or https://");
        }
        this.token = token == null || token.isBlank() ? null : token;
        this.timeout = timeout;
    }

    public String url() {
        return base;
    }

    /** Chunk bodies (all parallel fetches together) are read no faster than {@code limit} allows. */
    public CatalogClient limit(TokenBucket limit) {
        this.bandwidth = limit;
        return this;
    }

    /**
     * Every answer must arrive at {@code bytesPerSecond} or more, averaged over each {@code window} the
     * client waits for it ({@link MinimumRateInputStream}); a slower one fails like a connection that
     * broke off. Default: {@link #MINIMUM_RATE} bytes/s over {@link #RATE_WINDOW}.
     */
    public CatalogClient minimumRate(long bytesPerSecond, Duration window) {
        this.minimumRate = bytesPerSecond;
        this.rateWindow = window;
        return this;
    }

    /** A {@link #listing} ends after {@code parcels} parcels (default {@link #MAX_LISTED_PARCELS}). */
    public CatalogClient maxListed(int parcels) {
        this.maxListed = parcels;
        return this;
    }

    /** One entry of the remote catalog: a parcel's name and the etag of its current state. */
    public record RemoteParcel(String name, String etag) {
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CatalogClient.class);

    /** How many refused entries of one listing are named in the log (the others only counted). */
    public static final int NAMED_REFUSALS = 10;

    /** The longest etag a listing entry may carry (a Caravan receiver's are 32 characters). */
    public static final int MAX_ETAG_CHARS = 256;

    /**
     * Why {@code etag} is not one a listing entry may carry, or null: it must have 1 to {@link #MAX_ETAG_CHARS}
     * characters, each a visible ASCII character ({@code !} to {@code ~}, as the {@code ETag} header allows).
     */
    public static String etagProblem(String etag) {
        if (etag == null || etag.isEmpty()) {
            return "it has no etag";
        }
        if (etag.length() > MAX_ETAG_CHARS) {
            return "its etag has " + etag.length() + " characters, more than the " + MAX_ETAG_CHARS + " an etag may have";
        }
        for (int i = 0; i < etag.length(); i++) {
            char c = etag.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return "its etag holds a character other than visible ASCII (" + String.format("U+%04X", (int) c) + ")";
            }
        }
        return null;
    }

    /**
     * {@code GET /parcels?prefix=} page after page, each asked for only when the one before was taken
     * ({@link Listing#nextPage}), so a listing is never held whole: every parcel the server lists under
     * {@code prefix}, ordered by name, up to {@link #maxListed} parcels.
     */
    public Listing listing(String prefix) {
        return new Listing(prefix);
    }

    /** A listing read a page at a time; see {@link #listing}. */
    public final class Listing {

        private final String prefix;
        private String after;
        private long listed;
        private boolean done;
        private String cutShort;
        private long refused;

        private Listing(String prefix) {
            this.prefix = prefix;
        }

        /**
         * The next page's parcels, or null once the listing ended: at its last page, after
         * {@link #maxListed} parcels, or at a page whose {@code next} does not move forward (both said by
         * {@link #cutShort}). A server that cannot be read fails with a {@link ShipException}.
         */
        public java.util.List<RemoteParcel> nextPage() {
            if (done) {
                return null;
            }
            String path = "/parcels?limit=1000" + (prefix == null || prefix.isEmpty() ? "" : "&prefix=" + encode(prefix))
                    + (after == null ? "" : "&after=" + encode(after));
            java.util.List<RemoteParcel> parcels = new java.util.ArrayList<>();
            boolean full = false;
            String nextAfter = null;
            // token by token: a page of tiny entries is never built as a tree
            try (JsonParser parser = JSON.getFactory().createParser(page(path))) {
                if (parser.nextToken() != JsonToken.START_OBJECT) {
                    throw new RefusedAnswerException("GET " + base + path + ": a page of the listing is not a JSON object", null);
                }
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String field = parser.currentName();
                    JsonToken value = parser.nextToken();
                    if (field.equals("next")) {
                        nextAfter = value == JsonToken.VALUE_STRING ? parser.getText() : null;
                    } else if (field.equals("parcels") && value == JsonToken.START_ARRAY) {
                        while (parser.nextToken() != JsonToken.END_ARRAY) {
                            RemoteParcel parcel = parcel(parser, path);
                            if (listed == maxListed) {
                                full = true;
                                parser.skipChildren();
                                continue;
                            }
                            listed++;
                            if (acceptable(parcel)) {
                                parcels.add(parcel);
                            }
                        }
                    } else {
                        parser.skipChildren();
                    }
                }
            } catch (IOException e) {
                throw new RefusedAnswerException("GET " + base + path + ": a page of the listing is not valid JSON ("
                        + e.getMessage() + "): the server is broken", e);
            }
            if (nextAfter != null && after != null && io.caravan.util.CodePointOrder.compare(nextAfter, after) <= 0) {
                end("names a next page that does not move forward ('" + nextAfter + "' after '" + after + "'): the server is broken");
            } else if (full || nextAfter != null && listed >= maxListed) {
                end("lists more than " + maxListed + " parcels: the server is broken, or the prefix must be narrower");
            } else if (nextAfter == null) {
                done = true;
            }
            after = nextAfter;
            return parcels;
        }

        /** The parcel whose object the parser is at (its name and etag; other fields are passed over). */
        private RemoteParcel parcel(JsonParser parser, String path) throws IOException {
            String name = "";
            String etag = "";
            if (parser.currentToken() == JsonToken.START_OBJECT) {
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String field = parser.currentName();
                    JsonToken value = parser.nextToken();
                    if (field.equals("name") && value == JsonToken.VALUE_STRING) {
                        name = parser.getText();
                    } else if (field.equals("etag") && value == JsonToken.VALUE_STRING) {
                        etag = parser.getText();
                    } else {
                        parser.skipChildren();
                    }
                }
            } else {
                parser.skipChildren();
            }
            if (name.isEmpty() || etag.isEmpty()) {
                throw new RefusedAnswerException("GET " + base + path + ": a parcel without name or etag in the listing", null);
            }
            return new RemoteParcel(name, etag);
        }

        /**
         * Whether an entry's name follows the name rules and its etag {@link #etagProblem}'s; one that does
         * not is refused, never fetched nor remembered, with a warning (its name shortened) for the first
         * {@link #NAMED_REFUSALS} of a listing ({@link #refused} counts them all).
         */
        private boolean acceptable(RemoteParcel parcel) {
            String problem = NameRules.problem(parcel.name());
            String why = problem != null ? "its name is refused: " + problem : etagProblem(parcel.etag());
            if (why == null) {
                return true;
            }
            if (++refused <= NAMED_REFUSALS) {
                LOG.warn("pull: the listing of {} names '{}', refused: {}; it is not fetched (the server is broken or hostile)",
                        base, NameRules.shortened(parcel.name()), why);
            }
            return false;
        }

        /** How many entries of this listing were refused so far. */
        public long refused() {
            return refused;
        }

        /** Why the listing ended before its last page, or null. */
        public String cutShort() {
            return cutShort;
        }

        private void end(String why) {
            done = true;
            cutShort = "the listing of " + base + (prefix == null || prefix.isEmpty() ? "" : " under '" + prefix + "'")
                    + " " + why;
        }
    }

    /** The bytes of one page of a listing, at most {@link #MAX_LISTING_PAGE_BYTES}. */
    private byte[] page(String path) {
        HttpURLConnection connection = open(path, null);
        try (InputStream in = body(connection, path, "a page of the listing")) {
            byte[] bytes = in.readNBytes(MAX_LISTING_PAGE_BYTES + 1);
            if (bytes.length > MAX_LISTING_PAGE_BYTES) {
                connection.disconnect();
                throw new ShipException(413, "GET " + base + path + ": a page of the listing is larger than "
                        + MAX_LISTING_PAGE_BYTES + " bytes: the server is broken", null);
            }
            return bytes;
        } catch (IOException e) {
            throw unreachable(path, e);
        }
    }

    /** The largest manifest read: the receiver's default JSON body limit, which takes a 1 TiB parcel's. */
    static final int MAX_MANIFEST_BYTES = 32 << 20;
    /**
     * The most chunks a manifest may list, as the receiver's {@code max-chunks-per-session} bounds a
     * session: 1 TiB in the default 8 MiB chunks, plus one. A download holds every chunk's entry, so this
     * keeps it within a small heap (the launcher's 160 MiB) whatever a server sends.
     */
    static final int MAX_CHUNKS_PER_MANIFEST = 131_073;
    /** The largest page of a listing read (1000 parcels are some hundred KiB). */
    static final int MAX_LISTING_PAGE_BYTES = 8 << 20;

    /** A manifest as served: its {@code ETag} (quoted, as sent) and the validated manifest. */
    public record RemoteManifest(String etag, Manifest manifest) {
    }

    /**
     * {@code GET /parcels/manifest?name=}: read whole (at most {@link #MAX_MANIFEST_BYTES}), refused
     * when it lists more than {@link #MAX_CHUNKS_PER_MANIFEST} chunks before any of them is built, then
     * kept as received in {@code keep} (null: not kept) and parsed.
     */
    public RemoteManifest manifest(String name, Path keep) {
        String path = "/parcels/manifest?name=" + encode(name);
        HttpURLConnection connection = open(path, null);
        try {
            String body = received(name, connection, path, keep);
            String etag = connection.getHeaderField("ETag");
            if (etag == null) {
                throw new RefusedAnswerException("the manifest of '" + name + "' from " + base + " came without the ETag that names"
                        + " its state: the server is broken; nothing was fetched", null);
            }
            try {
                return new RemoteManifest(etag, Manifest.fromJson(body).validate());
            } catch (ManifestException e) {
                throw new RefusedAnswerException("the manifest of '" + name + "' from " + base + " is not valid: " + e.getMessage()
                        + "; the server is broken, nothing was fetched", e);
            }
        } catch (IOException e) {
            throw unreachable(path, e);
        }
    }

    /** The manifest's text, its bytes checked for size and chunk count and written to {@code keep} as they came. */
    private String received(String name, HttpURLConnection connection, String path, Path keep) throws IOException {
        byte[] bytes = body(connection, path, "the manifest of '" + name + "'").readNBytes(MAX_MANIFEST_BYTES + 1);
        if (bytes.length > MAX_MANIFEST_BYTES) {
            connection.disconnect(); // the rest is not read: the connection is closed, not kept for another request
            throw new ShipException(413, "the manifest of '" + name + "' from " + base + " is larger than "
                    + MAX_MANIFEST_BYTES + " bytes (a manifest of a 1 TiB parcel is a few MiB): the server is broken;"
                    + " nothing was fetched", null);
        }
        long chunks = ManifestChunks.count(bytes);
        if (chunks > MAX_CHUNKS_PER_MANIFEST) {
            throw new ShipException(413, "the manifest of '" + name + "' from " + base + " lists " + chunks
                    + " chunks, more than the " + MAX_CHUNKS_PER_MANIFEST + " a download takes (1 TiB in the default"
                    + " 8 MiB chunks): nothing was fetched; the server is broken, or the parcel must be published in"
                    + " larger chunks (caravan.catalog.chunk-size on the server)", null);
        }
        if (keep != null) {
            Path partial = keep.resolveSibling(keep.getFileName() + ".partial");
            try {
                Files.write(partial, bytes);
                Files.move(partial, keep, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new io.caravan.CaravanException("cannot keep the manifest of '" + name + "' in " + keep + ": "
                        + e.getMessage(), e);
            }
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * Fetches chunk {@code chunk} of {@code name} into {@code target}, checked against the manifest's
     * size and SHA-256 as it streams; the file appears only complete and verified (written under a
     * temporary name, forced and renamed).
     */
    public void chunk(String name, ChunkInfo chunk, String etag, Path target) {
        Path partial = target.resolveSibling(target.getFileName() + ".partial-" + Thread.currentThread().getId());
        try (FileChannel out = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            fetch(name, chunk, etag, (bytes, offset) -> {
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
            });
            out.force(false);
        } catch (IOException | UncheckedIOException e) {
            deleteQuietly(partial);
            throw new ShipException(0, "cannot store chunk " + ChunkInfo.label(chunk.index()) + " of '" + name + "' in "
                    + partial + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            deleteQuietly(partial);
            throw e;
        }
        try {
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new ShipException(0, "cannot store chunk " + ChunkInfo.label(chunk.index()) + " of '" + name + "' as "
                    + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * Fetches chunk {@code chunk} of {@code name} into {@code out} (the chunk's place in a file), checked
     * as it streams; when this returns normally the place holds exactly the verified chunk once
     * {@code out} is closed, otherwise it may hold part of what the server sent and must not be trusted.
     */
    public void chunkAt(String name, ChunkInfo chunk, String etag, PositionedDirectWriter out) {
        try {
            fetch(name, chunk, etag, (bytes, offset) -> out.write(bytes));
        } catch (UncheckedIOException e) {
            throw new ShipException(0, "cannot store chunk " + ChunkInfo.label(chunk.index()) + " of '" + name + "': "
                    + e.getMessage(), e);
        }
    }

    /** Where a fetched chunk's bytes go: {@code bytes} are the chunk's bytes from {@code offset}. */
    private interface ChunkSink {
        void write(ByteBuffer bytes, long offset) throws IOException;
    }

    /** Streams the chunk into {@code sink}, verified; the sink's failures come out as {@link UncheckedIOException}. */
    private void fetch(String name, ChunkInfo chunk, String etag, ChunkSink sink) {
        String path = "/parcels/chunks/" + chunk.index() + "?name=" + encode(name);
        String label = "chunk " + ChunkInfo.label(chunk.index()) + " of '" + name + "'";
        HttpURLConnection connection = open(path, etag);
        try (InputStream in = body(connection, path, label)) {
            MessageDigest digest = Sha256.newDigest();
            byte[] buffer = new byte[BLOCK];
            long size = 0;
            int n;
            while ((n = readSome(in, buffer, chunk.size() - size + 1, path)) > 0) {
                acquire(n);
                if (size + n > chunk.size()) {
                    throw new ChunkVerificationException(label + " from " + base + ": more than the manifest's " + chunk.size()
                            + " bytes; the server sends something else than it describes, nothing was published");
                }
                digest.update(buffer, 0, n);
                try {
                    sink.write(ByteBuffer.wrap(buffer, 0, n), size);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                size += n;
            }
            String actual = Sha256.hex(digest);
            if (size != chunk.size() || !actual.equals(chunk.checksum())) {
                throw new ChunkVerificationException(label + " from " + base + ": " + (size != chunk.size()
                        ? size + " bytes, the manifest says " + chunk.size() : "SHA-256 mismatch (expected " + chunk.checksum()
                        + ", got " + actual + ")") + "; the server sent damaged data, nothing was published");
            }
        } catch (IOException e) {
            throw unreachable(path, e);
        }
    }

    /** Reads up to {@code max} bytes; a failure of the connection (not of the sink) is the server unreachable. */
    private int readSome(InputStream in, byte[] buffer, long max, String path) {
        try {
            return in.read(buffer, 0, (int) Math.min(buffer.length, max));
        } catch (IOException e) {
            throw unreachable(path, e);
        }
    }

    private HttpURLConnection open(String path, String ifMatch) {
        try {
            HttpURLConnection connection = HttpConnections.open(base + path, ssl, timeout, token);
            if (ifMatch != null) {
                connection.setRequestProperty("If-Match", ifMatch);
            }
            return connection;
        } catch (IOException e) {
            throw unreachable(path, e);
        }
    }

    private void acquire(int bytes) throws java.io.InterruptedIOException {
        try {
            bandwidth.acquire(bytes);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for the bandwidth limit");
        }
    }

    /**
     * The body of a 200 answer; any other status becomes a ShipException with {@code what} was asked
     * (the manifest of a parcel, one of its chunks), the server's message and, when asking again cannot
     * help ({@link ShipException#retryable()}), what to do instead.
     */
    private InputStream body(HttpURLConnection connection, String path, String what) throws IOException {
        // the read timeout is the silence a server may keep while it works (it packs a parcel before its manifest)
        int status = HttpConnections.status(connection, timeout.plus(rateWindow));
        if (status == 200) {
            return new MinimumRateInputStream(connection.getInputStream(), minimumRate, rateWindow, connection::disconnect);
        }
        String text;
        InputStream errorStream = connection.getErrorStream();
        try (InputStream error = errorStream == null ? null
                : new MinimumRateInputStream(errorStream, minimumRate, rateWindow, connection::disconnect)) {
            text = error == null ? "" : new String(error.readNBytes(64 * 1024), StandardCharsets.UTF_8);
        }
        String message;
        try {
            message = JSON.readTree(text).path("message").asText(text);
        } catch (IOException notJson) {
            message = text;
        }
        message = io.caravan.util.PeerText.excerpt(message);
        ShipException failure = new ShipException(status, what + ": GET " + base + path + " answered " + status + ": " + message, null);
        throw failure.retryable() || status == 412 ? failure
                : new ShipException(status, failure.getMessage() + "; " + remedy(status), null);
    }

    /** What to do about an answer that asking again would only repeat. */
    private static String remedy(int status) {
        return switch (status) {
            case 401, 403 -> "the receiver refused the token: give the one it requires with --token";
            case 404, 410 -> "check the name (GET /parcels on the receiver lists what is published)";
            default -> "asking again would get the same answer: check that this caravan and the receiver's are the same"
                    + " version, and the receiver's log";
        };
    }

    private ShipException unreachable(String path, IOException e) {
        if (e instanceof java.net.ConnectException || e instanceof java.net.UnknownHostException
                || e instanceof java.net.NoRouteToHostException) {
            return new NoReceiverException(base, e); // waiting cannot help: said within seconds
        }
        if (e instanceof MinimumRateInputStream.TooSlowException) {
            return new ShipException(0, "GET " + base + path + ": " + e.getMessage() + "; a rerun keeps what was fetched", e);
        }
        return new ShipException(0, "GET " + base + path + ": server unreachable or the answer broke off (" + e + ")", e);
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a leftover partial file is replaced by the next attempt
        }
    }
}
