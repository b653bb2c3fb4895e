package io.caravan.share;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.CaravanException;
import io.caravan.bandwidth.LimitedInputStream;
import io.caravan.bandwidth.TokenBucket;
import io.caravan.fs.NameRules;
import io.caravan.sync.LocalMirror;
import io.caravan.sync.SyncEntry;
import io.caravan.util.CappedInputStream;
import io.caravan.util.GrowingCapInputStream;
import io.caravan.util.HttpConnections;
import io.caravan.util.ListingJson;
import io.caravan.util.MinimumRateInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;

/**
 * A follower's calls to one share ({@code http://host:port/shares/<name>}): its listing, its
 * change log after a cursor (long-polled), and its files. Every path the server names is checked
 * against the {@link NameRules} before it is used: an entry or event that breaks them is refused
 * (reported through {@code refused}) and left out, so a hostile server can never name a place outside
 * the follower's folder.
 */
public final class ShareClient implements LocalMirror.Fetcher {

    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * How long an answer (a file's transfer, a listing, changes once their answer started) may go
     * without a byte before it is taken as broken off.
     */
    static final Duration STALL_TIMEOUT = Duration.ofSeconds(30);
    /** Bytes per second an answer must keep up, over every {@link #STALL_TIMEOUT}: slower is taken as broken off. */
    static final long MINIMUM_RATE = 1024;
    /** How long a follower waits out a server that is too busy to write a bundle before asking file by file. */
    static final Duration BUSY_PATIENCE = Duration.ofSeconds(20);
    /** The largest answer of changes read (a server sends at most {@link ShareLog#MAX_EVENTS_PER_ANSWER} at a time). */
    static final int MAX_EVENTS_BYTES = 16 << 20;
    /**
     * A listing may hold {@link #LISTING_BASE_BYTES}, plus {@link #MAX_ENTRY_BYTES} per entry (a path and a link
     * target of 4,096 bytes each, every byte escaped as {@code \\uXXXX}, and the other fields), plus
     * {@link #KEEP_ALIVE_BYTES_PER_SECOND} for each second it takes (4 times the whitespace a server sends
     * while it hashes, {@link ShareListing#KEEP_ALIVE_EVERY}): no more. A server that pads its listing at a
     * higher pace has it refused within seconds; one that keeps under it holds a follower no longer than a
     * server hashing a very large folder may.
     */
    static final long LISTING_BASE_BYTES = 256 << 10;
    static final long MAX_ENTRY_BYTES = 64 << 10;
    static final long KEEP_ALIVE_BYTES_PER_SECOND = 4L * ShareListing.KEEP_ALIVE_BYTES;
    /** Malformed changes of one answer said one by one; the rest are counted in one line. */
    static final int MALFORMED_SAID = 10;
    /** The refused entries of one answer said one by one; the rest are counted in one line. */
    static final int REFUSALS_SAID = 20;
    /** The most entries of a listing taken: a share's tree is held in memory, as the follower's own is. */
    static final int MAX_LISTING_ENTRIES = 2_000_000;
    /**
     * Roughly what one entry of a listing costs a follower's heap: the entry as listed, the tree it
     * keeps of the share, its own folder's tree and the comparison of the two (a share's server holds
     * about 320 bytes per entry of one tree).
     */
    static final long BYTES_PER_LISTED_ENTRY = 1024;

    /** The most entries of a listing a follower takes by default: what its heap holds, at most {@link #MAX_LISTING_ENTRIES}. */
    static int defaultMaxListingEntries() {
        return (int) Math.min(MAX_LISTING_ENTRIES, Runtime.getRuntime().maxMemory() / BYTES_PER_LISTED_ENTRY);
    }

    /** The server answered 410: the cursor is older than its log (or from before a reset of it). */
    public static final class CursorGoneException extends IOException {
        CursorGoneException(String message) {
            super(message);
        }
    }

    /**
     * The server refused the follower (401/403/404), or its listing is more than the follower takes:
     * retrying will not help until the user changes something.
     */
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
    private final Consumer<String> refused;
    private final SSLContext ssl;
    private final int maxListingEntries;
    /** False once the server answered that it takes no {@code POST /files} (an older one): files are fetched one by one. */
    private volatile boolean bundles = true;
    private volatile Duration stall = STALL_TIMEOUT;
    /** The listings and polls in flight, hung up by {@link #hangUp}. */
    private final Set<HttpURLConnection> asking = ConcurrentHashMap.newKeySet();

    /** A client of {@code url} (a share's URL); {@code follower} names this follower to the server. */
    public ShareClient(String url, String token, String follower, SSLContext ssl, Consumer<String> refused) {
        this(url, token, follower, ssl, refused, defaultMaxListingEntries());
    }

    /** As above, taking listings of at most {@code maxListingEntries} entries. */
    private volatile TokenBucket bandwidth = TokenBucket.UNLIMITED;

    public ShareClient(String url, String token, String follower, SSLContext ssl, Consumer<String> refused,
                       int maxListingEntries) {
        this.maxListingEntries = maxListingEntries;
        this.share = shareUri(url);
        this.token = token;
        this.follower = follower == null ? null : follower.replaceAll("[^\\x20-\\x7e]", "?"); // a header value is ASCII
        this.refused = refused;
        this.ssl = ssl;
    }

    /** File bodies (every fetch of this client together) are read no faster than {@code limit} allows. Returns this client. */
    public ShareClient limit(TokenBucket limit) {
        this.bandwidth = limit;
        return this;
    }

    private InputStream limited(InputStream body) {
        return bandwidth == TokenBucket.UNLIMITED ? body : new LimitedInputStream(body, bandwidth);
    }

    /**
     * How long an answer may send nothing (by default {@link #STALL_TIMEOUT}) before it is taken as
     * broken off; over every such stretch it must also keep up {@link #MINIMUM_RATE}. Returns this client.
     */
    ShareClient stallTimeout(Duration timeout) {
        this.stall = timeout;
        return this;
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

    /**
     * The share's tree and the sequence number it is at; with {@code checksum}, SHA-256s of the files.
     * Read entry by entry as it arrives: a listing of more entries than the follower takes (by default
     * what its heap holds, {@link #defaultMaxListingEntries}) is refused, so no server can make the
     * follower hold more than that; so is one that runs it out of memory all the same. Both are a
     * {@link ShareRefusedException} that says what to do (a larger heap). A listing that goes silent for
     * the stall timeout or arrives more slowly than {@link #MINIMUM_RATE} fails as broken off, with checksums
     * too: the server sends whitespace while it hashes a file ({@link ShareListing#KEEP_ALIVE_EVERY}).
     */
    public ShareLog.Listing listing(boolean checksum) throws IOException {
        String suffix = "/listing" + (checksum ? "?checksum=true" : "");
        Map<String, SyncEntry> entries = new TreeMap<>();
        AnswerRefusals say = new AnswerRefusals();
        long sequence;
        try {
            Map<String, JsonNode> head = ask(suffix, stall, MINIMUM_RATE, stall, "the listing of " + share, in -> {
                GrowingCapInputStream capped = new GrowingCapInputStream(in, LISTING_BASE_BYTES, MAX_ENTRY_BYTES,
                        KEEP_ALIVE_BYTES_PER_SECOND, read -> new IOException("the listing of " + share + " ran to " + read
                        + " bytes, more than its entries and the server's keep-alive whitespace take: the server is broken"));
                return ListingJson.read(capped, maxListingEntries, "the listing of " + share, node -> {
                    capped.item();
                    take(node, entries, say);
                });
            });
            sequence = head.containsKey("sequence") ? head.get("sequence").asLong() : 0;
        } catch (ListingJson.TooManyEntriesException e) {
            throw new ShareRefusedException("the listing of " + share + " holds more than " + maxListingEntries + " entries, more than this"
                    + " follower takes with a heap of " + heapMib() + " MiB: give it a larger heap (JAVA_OPTS=-Xmx2g, say),"
                    + " or follow a smaller folder");
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            throw outOfMemory(e, entries.values(), "the listing of " + share, "entries", ", or follow a smaller folder");
        } finally {
            say.end("the listing of " + share);
        }
        return new ShareLog.Listing(sequence, entries);
    }

    /**
     * For a failure reading {@code what} into {@code held}: {@code failure} itself, thrown, unless it is
     * running out of memory; then {@code held} is emptied and the refusal returned says so, how many
     * {@code units} were read and what to do ({@code orElse} adds another way out).
     */
    private ShareRefusedException outOfMemory(Throwable failure, java.util.Collection<?> held, String what, String units,
            String orElse) throws IOException {
        if (!outOfMemory(failure)) {
            if (failure instanceof IOException e) {
                throw e;
            }
            if (failure instanceof RuntimeException e) {
                throw e;
            }
            throw (Error) failure;
        }
        int read = held.size();
        held.clear(); // let them go before anything else is asked of the heap
        return new ShareRefusedException("reading " + what + " ran out of memory after " + read + " " + units + " (a heap of "
                + heapMib() + " MiB): give the follower a larger heap (JAVA_OPTS=-Xmx2g, say)" + orElse);
    }

    /** Whether {@code failure} is, or was caused by (a stream closed on it, say), running out of memory. */
    private static boolean outOfMemory(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof OutOfMemoryError) {
                return true;
            }
            for (Throwable suppressed : t.getSuppressed()) {
                if (suppressed instanceof OutOfMemoryError) {
                    return true;
                }
            }
        }
        return false;
    }

    private static long heapMib() {
        return Runtime.getRuntime().maxMemory() >> 20;
    }

    private void take(JsonNode node, Map<String, SyncEntry> entries, Consumer<String> say) {
        SyncEntry entry;
        try {
            entry = SyncEntry.fromJson(node);
        } catch (RuntimeException e) {
            say.accept("an entry the server listed is malformed (" + NameRules.shortened(node.toString()) + ")");
            return;
        }
        if (acceptable(entry.path(), say) && holdable(entry, say)) {
            entries.put(entry.path(), entry);
        }
    }

    /** Says the first {@link #REFUSALS_SAID} refusals of one answer, then, at its end, how many more there were. */
    private final class AnswerRefusals implements Consumer<String> {
        private long count;

        @Override
        public void accept(String why) {
            if (++count <= REFUSALS_SAID) {
                refused.accept(why);
            }
        }

        void end(String what) {
            if (count > REFUSALS_SAID) {
                refused.accept((count - REFUSALS_SAID) + " more entries of " + what + " were refused and left out");
            }
        }
    }

    /** A link without a target: refused in a change by {@link EventCheck}, which names the change. */
    private static boolean linkWithoutTarget(SyncEntry entry) {
        return entry.type() == SyncEntry.Type.LINK && entry.target() == null;
    }

    /**
     * Whether a folder can hold {@code entry} as the server listed it: a link's target is neither empty
     * nor {@value NameRules#PATH_MAX} bytes or more nor holds a NUL, a size is not negative. One that
     * cannot is refused as {@code <path>: <why>}, control characters escaped.
     */
    private boolean holdable(SyncEntry entry, Consumer<String> say) {
        String why = null;
        if (entry.type() == SyncEntry.Type.LINK) {
            String target = entry.target();
            int bytes = target == null ? 0 : NameRules.utf8Length(target);
            why = target == null ? "a link without a target"
                    : target.isEmpty() ? "a link with an empty target"
                    : target.indexOf('\0') >= 0 ? "its link target holds a NUL character, which no link may hold"
                    : bytes >= NameRules.PATH_MAX ? "its link target is " + bytes + " bytes, more than a link holds (under "
                            + NameRules.PATH_MAX + ")"
                    : null;
        }
        if (why == null && entry.size() < 0) {
            why = "its size " + entry.size() + " is negative";
        }
        if (why != null) {
            say.accept(NameRules.printable(entry.path()) + ": " + why + "; left out");
            return false;
        }
        return true;
    }

    /**
     * The events after {@code since}, waiting up to {@code wait} for one; {@link CursorGoneException} on 410.
     * A server that has not answered {@code wait} plus the stall timeout later, or whose answer goes
     * silent or drips, fails the poll as broken off; {@link #hangUp} ends it at once. The answer is read
     * change by change, never held whole: more than {@link #MAX_EVENTS_BYTES} bytes or
     * {@link ShareLog#MAX_EVENTS_PER_ANSWER} changes fails the poll, a malformed change is refused
     * (its text escaped and shortened), and running out of memory is a {@link ShareRefusedException}
     * that says what to do (a larger heap).
     */
    public Events events(long since, Duration wait) throws IOException {
        String suffix = "/events?since=" + since + "&timeout=" + wait.toSeconds();
        String what = "the changes of " + share;
        List<ShareEvent> events = new ArrayList<>();
        long[] latest = {since};
        int[] malformed = {0};
        Map<String, JsonNode> head;
        try {
            head = ask(suffix, wait.plus(stall), MINIMUM_RATE, stall, what,
                    in -> ListingJson.read(new CappedInputStream(in, MAX_EVENTS_BYTES,
                            () -> new IOException("the changes " + share + " answered hold more than " + MAX_EVENTS_BYTES
                                    + " bytes, more than a follower reads: the server is broken")), "events", ShareLog.MAX_EVENTS_PER_ANSWER, what,
                            node -> take(node, events, latest, malformed)));
        } catch (ListingJson.TooManyEntriesException e) {
            throw new IOException(what + " hold more than " + ShareLog.MAX_EVENTS_PER_ANSWER + " events, more than a"
                    + " server sends at once: the server is broken");
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            throw outOfMemory(e, events, what, "events", "");
        }
        if (malformed[0] > MALFORMED_SAID) {
            refused.accept((malformed[0] - MALFORMED_SAID) + " more malformed changes in the same answer were left out");
        }
        JsonNode said = head.get("latest");
        return new Events(Math.max(latest[0], said == null ? latest[0] : said.asLong(latest[0])), events);
    }

    /**
     * Takes one change of an answer into {@code events} when it is acceptable, raising {@code latest} to
     * its number; a malformed one is counted in {@code malformed}, and said when among the first
     * {@link #MALFORMED_SAID}.
     */
    private void take(JsonNode node, List<ShareEvent> events, long[] latest, int[] malformed) {
        ShareEvent event;
        try {
            event = ShareEvent.fromJson(node);
        } catch (RuntimeException e) {
            if (++malformed[0] <= MALFORMED_SAID) {
                refused.accept("a change the server sent is malformed (" + NameRules.shortened(node.toString()) + ")");
            }
            return;
        }
        latest[0] = Math.max(latest[0], event.seq());
        boolean ok = event.type() == ShareEvent.Type.RESET
                || acceptable(event.path(), refused) && (event.from() == null || acceptable(event.from(), refused))
                && (event.entry() == null || event.entry().path().equals(event.path())
                        && (linkWithoutTarget(event.entry()) || holdable(event.entry(), refused)));
        if (ok) {
            events.add(event);
        }
    }

    /**
     * Writes the content of the share's file {@code entry} into {@code out}. A transfer cut short is
     * continued where it stopped ({@code Range}), up to 3 times, as long as the file is the same one
     * ({@code ETag}); a file that changed meanwhile fails the fetch (its change event follows). A server
     * that sends more than the size it listed, or goes silent for {@link #STALL_TIMEOUT}, fails it too:
     * nothing beyond the listed size is written.
     */
    public void fetch(SyncEntry entry, java.io.OutputStream out) throws IOException {
        String path = "/files?path=" + URLEncoder.encode(entry.path(), StandardCharsets.UTF_8).replace("+", "%20");
        long written = 0;
        String etag = null;
        for (int attempt = 0; ; attempt++) {
            HttpURLConnection connection = open(path, written > 0 ? "bytes=" + written + "-" : null);
            int status;
            try {
                status = HttpConnections.status(connection, stall.plus(stall));
            } catch (java.io.InterruptedIOException e) {
                throw e;
            } catch (IOException e) {
                if (attempt >= 3) {
                    throw unreachable(e);
                }
                continue;
            }
            if (status != (written > 0 ? 206 : 200)) {
                String text;
                try (InputStream error = connection.getErrorStream()) {
                    text = error == null ? "" : new String(error.readNBytes(4096), StandardCharsets.UTF_8);
                }
                throw failure(status, text, "file " + entry.path());
            }
            String tag = connection.getHeaderField("ETag");
            if (etag != null && !etag.equals(tag)) {
                throw new IOException(entry.path() + " changed on the server while it was fetched; fetched again at its change");
            }
            etag = tag;
            if (written > 0 && rangeStart(connection.getHeaderField("Content-Range")) != written) {
                connection.disconnect();
                throw new IOException("the server answered the resumed fetch of '" + NameRules.printable(entry.path())
                        + "' with '" + connection.getHeaderField("Content-Range") + "' where bytes " + written
                        + "- were asked; nothing of it was kept (the file is fetched again at its next change)");
            }
            // a file that drips (a byte now and then, never silent for the stall timeout) fails as broken off
            try (InputStream in = new MinimumRateInputStream(limited(connection.getInputStream()), MINIMUM_RATE, stall,
                    connection::disconnect)) {
                byte[] buffer = new byte[1 << 16];
                long declared = connection.getContentLengthLong();
                long from = written;
                try {
                    for (int n; (n = in.read(buffer)) >= 0; ) {
                        if (written + n > entry.size()) {
                            throw new LongerThanListedException("the server sent more than the " + entry.size()
                                    + " bytes it listed for '" + NameRules.printable(entry.path()) + "'; nothing beyond them"
                                    + " was kept (the file changed since the listing, or the server is broken)");
                        }
                        try {
                            out.write(buffer, 0, n);
                        } catch (IOException local) {
                            throw new LocalWriteException("writing '" + NameRules.printable(entry.path())
                                    + "' into the mirror failed: " + local.getMessage(), local);
                        }
                        written += n;
                    }
                    if (declared >= 0 && written - from < declared) {
                        throw new IOException("the answer ended after " + (written - from) + " of " + declared + " bytes");
                    }
                    if (written != entry.size()) {
                        throw new ShorterThanListedException("the server sent " + written + " bytes of '"
                                + NameRules.printable(entry.path()) + "', which it listed with " + entry.size()
                                + "; nothing of it was kept (the file changed since the listing, or the server is broken)");
                    }
                    return;
                } catch (java.io.InterruptedIOException e) {
                    if (!(e instanceof java.net.SocketTimeoutException) || attempt >= 3) {
                        throw e instanceof java.net.SocketTimeoutException ? new IOException("the server sent nothing of '"
                                + NameRules.printable(entry.path()) + "' for " + stall.toSeconds() + " s", e) : e;
                    }
                } catch (LongerThanListedException | ShorterThanListedException | LocalWriteException e) {
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

    /** Where a {@code Content-Range: bytes A-B/T} answer starts ({@code A}), or -1 when it names no start. */
    static long rangeStart(String contentRange) {
        java.util.regex.Matcher range = contentRange == null ? null
                : java.util.regex.Pattern.compile("bytes (\\d{1,18})-\\d{1,18}/(\\d{1,18}|\\*)").matcher(contentRange.trim());
        return range != null && range.matches() ? Long.parseLong(range.group(1)) : -1;
    }

    /** Files of up to {@link ShareBundle#MAX_FILE} bytes are fetched several at a time. */
    @Override
    public long smallFileSize() {
        return bundles ? ShareBundle.MAX_FILE : 0;
    }

    /**
     * Fetches {@code entries} (each listed at most {@link #smallFileSize()} bytes) in one
     * {@code POST /files} ({@link ShareBundle}); each content is taken for the path asked for at its
     * place, never for a name the server sends. The answer must keep arriving at a minimum rate. What
     * the server did not serve is left to {@link #fetch} (see {@link io.caravan.sync.LocalMirror.Fetcher#fetchSmall}).
     */
    @Override
    public void fetchSmall(List<SyncEntry> entries, java.util.function.BiConsumer<SyncEntry, byte[]> delivered) throws IOException {
        if (!bundles || entries.isEmpty()) {
            return;
        }
        byte[] body = JSON.writeValueAsBytes(Map.of("paths", entries.stream().map(SyncEntry::path).toList()));
        long waitedUntil = System.nanoTime() + BUSY_PATIENCE.toNanos();
        HttpURLConnection connection;
        for (int status; ; ) {
            connection = open("/files", null);
            connection.setRequestMethod("POST");
            connection.setDoOutput(true);
            connection.setFixedLengthStreamingMode(body.length);
            connection.setRequestProperty("Content-Type", "application/json");
            try (java.io.OutputStream out = connection.getOutputStream()) {
                out.write(body);
            }
            status = HttpConnections.status(connection, stall.plus(stall));
            if (status == 200) {
                break;
            }
            if (status == 404 || status == 405 || status == 501) {
                bundles = false; // a server that serves files one by one only
            }
            String text;
            try (InputStream error = connection.getErrorStream()) {
                text = error == null ? "" : new String(error.readNBytes(4096), StandardCharsets.UTF_8);
            }
            // all the server's writers are taken: waiting a moment costs less than one request per file
            long pause = busyPause(status, connection.getHeaderField("Retry-After"));
            if (pause < 0 || System.nanoTime() + pause * 1_000_000 > waitedUntil) {
                throw failure(status, text, "file bundle");
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("stopped while the server was busy");
            }
        }
        try (InputStream in = new MinimumRateInputStream(limited(connection.getInputStream()), MINIMUM_RATE,
                stall, connection::disconnect)) {
            ShareBundle.read(in, entries, delivered::accept);
        }
    }

    /**
     * How long to wait before asking again after {@code status} (milliseconds, a little jitter added so
     * that followers told the same moment do not ask together), or -1 when it is not a busy answer.
     */
    static long busyPause(int status, String retryAfter) {
        if (status != 503 && status != 429) {
            return -1;
        }
        long seconds = 1;
        try {
            seconds = retryAfter == null ? 1 : Math.max(0, Math.min(5, Long.parseLong(retryAfter.trim())));
        } catch (NumberFormatException e) {
            // an HTTP date or nonsense: one second
        }
        return Math.max(100, seconds * 1000) + java.util.concurrent.ThreadLocalRandom.current().nextLong(250);
    }

    /** A complete answer held less than the file was listed with: not retried. */
    private static final class ShorterThanListedException extends IOException {
        ShorterThanListedException(String message) {
            super(message);
        }
    }

    /** Writing what arrived into the mirror failed (a full disk, say): the server is not asked again. */
    private static final class LocalWriteException extends IOException {
        LocalWriteException(String message, IOException cause) {
            super(message, cause);
        }
    }

    /** The server sent more of a file than it listed: not retried. */
    private static final class LongerThanListedException extends IOException {
        LongerThanListedException(String message) {
            super(message);
        }
    }

    private HttpURLConnection open(String suffix, String range) throws IOException {
        return open(suffix, range, stall);
    }

    private HttpURLConnection open(String suffix, String range, Duration readTimeout) throws IOException {
        HttpURLConnection connection = HttpConnections.open(share + suffix, ssl == null ? null : ssl.getSocketFactory(),
                readTimeout, token);
        if (range != null) {
            connection.setRequestProperty("Range", range);
        }
        if (follower != null) {
            connection.setRequestProperty("X-Caravan-Follower", follower);
        }
        return connection;
    }

    /**
     * {@code e} as the follower says it: when no server answers at the share's address at all (the connection
     * refused, the host unknown or unreachable), a {@link ShareUnreachableException} naming the share and what to check,
     * with {@code e} as its cause; any other failure as it is.
     */
    private IOException unreachable(IOException e) {
        String why;
        if (e instanceof java.net.ConnectException) {
            why = e.getMessage() == null ? "connection refused" : e.getMessage().toLowerCase(java.util.Locale.ROOT);
        } else if (e instanceof java.net.UnknownHostException) {
            why = "unknown host " + e.getMessage();
        } else if (e instanceof java.net.NoRouteToHostException) {
            why = "no route to host";
        } else {
            return e;
        }
        return new ShareUnreachableException("no share server at " + share + " — is `caravan serve --share` running there? ("
                + why + ")", e);
    }

    /** No server answers at the share's address at all; the message names it and what to check. */
    public static final class ShareUnreachableException extends IOException {
        ShareUnreachableException(String message, IOException cause) {
            super(message, cause);
        }
    }

    /** Reports something of the server's that the follower refused (as the client's own refusals are). */
    void refuse(String why) {
        refused.accept(why);
    }

    private boolean acceptable(String path, Consumer<String> say) {
        String problem = NameRules.problem(path);
        if (problem != null || path.endsWith("/")) {
            say.accept("refused the server's path '" + NameRules.printable(path) + "': "
                    + (problem != null ? problem : "a path must name an entry"));
            return false;
        }
        return true;
    }

    /** What is made of an answer's body. */
    @FunctionalInterface
    private interface BodyReader<T> {
        T read(InputStream body) throws IOException;
    }

    /**
     * {@code GET suffix}, its 200 answer's body read by {@code reader}; another answer is a
     * {@link #failure}. The request waits at most {@code silence} for the answer and for each of its
     * bytes; the body must keep up {@code bytesPerSecond} over every {@code window}. Either failing is
     * an {@link IOException} naming {@code what} was asked. Until it ends, {@link #hangUp} hangs it up.
     */
    private <T> T ask(String suffix, Duration silence, long bytesPerSecond, Duration window, String what, BodyReader<T> reader)
            throws IOException {
        HttpURLConnection connection = open(suffix, null, silence);
        asking.add(connection);
        boolean whole = false;
        try {
            if (Thread.currentThread().isInterrupted()) {
                throw new java.io.InterruptedIOException("stopped before asking " + share);
            }
            int status = HttpConnections.status(connection, silence.plus(window));
            InputStream raw = status == 200 ? connection.getInputStream() : connection.getErrorStream();
            try (InputStream in = new MinimumRateInputStream(raw == null ? InputStream.nullInputStream() : raw,
                    bytesPerSecond, window, connection::disconnect)) {
                if (status != 200) {
                    throw failure(status, new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8), suffix);
                }
                T result = reader.read(in);
                whole = true;
                return result;
            }
        } catch (java.net.SocketTimeoutException e) {
            throw new IOException(what + ": the server sent nothing for " + silence.toSeconds() + " s; taken as a broken"
                    + " connection", e);
        } catch (IOException e) {
            if (Thread.currentThread().isInterrupted() && !(e instanceof java.io.InterruptedIOException)) {
                java.io.InterruptedIOException stopped = new java.io.InterruptedIOException("stopped while asking " + share);
                stopped.initCause(e);
                throw stopped;
            }
            throw unreachable(e);
        } finally {
            asking.remove(connection);
            if (!whole) {
                connection.disconnect(); // not drained: nothing more of it is read
            }
        }
    }

    /**
     * Hangs up every listing and poll in flight: each fails at once. How a follower that stops leaves
     * a poll the server holds (its thread interrupted first, so that one not yet sent is not sent).
     */
    void hangUp() {
        for (HttpURLConnection connection : asking) {
            connection.disconnect();
        }
    }

    private IOException failure(int status, String body, String what) {
        String message;
        try {
            message = JSON.readTree(body).path("message").asText(body);
        } catch (IOException | RuntimeException e) {
            message = body;
        }
        message = io.caravan.util.PeerText.excerpt(message);
        if (status == 410) {
            return new CursorGoneException(message);
        }
        if (status == 401 || status == 403 || status == 404 && !what.startsWith("file ")) {
            throw new ShareRefusedException(share + " answered " + status + " for " + what + ": " + message
                    + (status == 401 ? " (give the server's token with --token)" : ""));
        }
        if (status == 404) { // a file deleted since the listing: not the follower's failure
            return new io.caravan.sync.LocalMirror.SourceFileGoneException(share + " answered 404 for " + what + ": " + message);
        }
        return new IOException(share + " answered " + status + " for " + what + ": " + message);
    }
}
