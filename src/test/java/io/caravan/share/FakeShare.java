package io.caravan.share;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.caravan.sync.LocalMirror;
import io.caravan.sync.SyncConsole;
import io.caravan.sync.SyncGuards;
import io.caravan.sync.SyncMode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A share server for tests (a JDK {@link HttpServer}): a listing and file contents set by the test,
 * and batches of changes answered to a follower whose cursor is before them (an empty answer after a
 * short wait otherwise). Counts the files it serves.
 */
final class FakeShare implements AutoCloseable {

    private final HttpServer server;
    private volatile String listing = "{\"sequence\":0,\"entries\":[]}";
    private final List<long[]> batchSeqs = new CopyOnWriteArrayList<>();
    private final List<String> batches = new CopyOnWriteArrayList<>();
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    /** Paths answered 500 (a server that lists them and cannot read them); a path it holds no file of is 404. */
    final java.util.Set<String> broken = ConcurrentHashMap.newKeySet();
    final AtomicInteger served = new AtomicInteger();
    /** Requests for one file, answered or not. */
    final AtomicInteger asked = new AtomicInteger();
    final AtomicInteger bundles = new AtomicInteger();
    /** Bundle requests still to be answered 503 {@code busy} (as a server whose writers are all taken). */
    final AtomicInteger busyBundles = new AtomicInteger();

    FakeShare() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/shares/fake/listing", x -> answer(x, 200, listing.getBytes(StandardCharsets.UTF_8)));
        server.createContext("/shares/fake/events", this::events);
        server.createContext("/shares/fake/files", x -> {
            if ("POST".equals(x.getRequestMethod())) {
                bundle(x);
                return;
            }
            asked.incrementAndGet();
            String path = URLDecoder.decode(x.getRequestURI().getRawQuery().substring("path=".length()), StandardCharsets.UTF_8);
            byte[] content = files.get(path);
            if (broken.contains(path)) {
                answer(x, 500, "{\"error\":\"internal\",\"message\":\"cannot read it (by the test)\"}".getBytes(StandardCharsets.UTF_8));
            } else if (content == null) {
                answer(x, 404, "{\"error\":\"not_found\"}".getBytes(StandardCharsets.UTF_8));
            } else {
                served.incrementAndGet();
                answer(x, 200, content);
            }
        });
        server.start();
    }

    /** {@code POST /files}: each path's content as this share holds it (whatever size it listed), -1 for none. */
    private void bundle(HttpExchange x) throws IOException {
        bundles.incrementAndGet();
        if (busyBundles.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            x.getRequestBody().readAllBytes();
            x.getResponseHeaders().set("Retry-After", "1");
            answer(x, 503, "{\"error\":\"busy\",\"message\":\"all writers are taken\"}".getBytes(StandardCharsets.UTF_8));
            return;
        }
        com.fasterxml.jackson.databind.JsonNode asked = new com.fasterxml.jackson.databind.ObjectMapper().readTree(x.getRequestBody());
        java.io.ByteArrayOutputStream answer = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream out = new java.io.DataOutputStream(answer);
        for (com.fasterxml.jackson.databind.JsonNode path : asked.path("paths")) {
            byte[] content = files.get(path.asText());
            out.writeLong(content == null ? -1 : content.length);
            if (content != null) {
                out.write(content);
            }
        }
        answer(x, 200, answer.toByteArray());
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/shares/fake";
    }

    /** The listing at {@code sequence}: entries given as JSON objects. */
    void listing(long sequence, String... entries) {
        listing = "{\"sequence\":" + sequence + ",\"entries\":[" + String.join(",", entries) + "]}";
    }

    void file(String path, String content) {
        files.put(path, content.getBytes(StandardCharsets.UTF_8));
    }

    void file(String path, byte[] content) {
        files.put(path, content.clone());
    }

    /** A batch of changes numbered {@code first} to {@code latest}: events given as JSON objects. */
    void changes(long first, long latest, String... events) {
        batchSeqs.add(new long[] {first, latest});
        batches.add("{\"latest\":" + latest + ",\"events\":[" + String.join(",", events) + "]}");
    }

    static String file(String path, int size, long mtime) {
        return "{\"path\":\"" + path + "\",\"type\":\"file\",\"size\":" + size + ",\"mtime\":" + mtime + ",\"mode\":420}";
    }

    static String dir(String path) {
        return "{\"path\":\"" + path + "\",\"type\":\"dir\",\"size\":0,\"mtime\":1000000,\"mode\":493}";
    }

    private void events(HttpExchange x) throws IOException {
        String query = x.getRequestURI().getRawQuery();
        long since = Long.parseLong(query.replaceAll(".*since=(-?\\d+).*", "$1"));
        for (int i = 0; i < batches.size(); i++) {
            if (batchSeqs.get(i)[0] > since) {
                answer(x, 200, batches.get(i).getBytes(StandardCharsets.UTF_8));
                return;
            }
        }
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        answer(x, 200, ("{\"latest\":" + since + ",\"events\":[]}").getBytes(StandardCharsets.UTF_8));
    }

    private static void answer(HttpExchange exchange, int status, byte[] bytes) throws IOException {
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** A follower of this share into {@code target}, its console in {@code out} and refusals in {@code refused}. */
    ShareFollower follower(Path target, boolean checksum, ByteArrayOutputStream out, List<String> refused) throws IOException {
        return follower(target, checksum, out, refused, LocalMirror.DEFAULT_MIN_FREE_SPACE);
    }

    /** As {@link #follower(Path, boolean, ByteArrayOutputStream, List)}, keeping {@code minFreeSpace} bytes free on the disk. */
    ShareFollower follower(Path target, boolean checksum, ByteArrayOutputStream out, List<String> refused, long minFreeSpace)
            throws IOException {
        SyncConsole console = new SyncConsole(new PrintStream(out, true, StandardCharsets.UTF_8));
        ShareClient client = new ShareClient(url(), null, "t", null, refused::add);
        LocalMirror mirror = new LocalMirror(target, SyncMode.INCREMENTAL, checksum, 2, List.of(), SyncGuards.DEFAULT, false,
                Duration.ofDays(1), console, client).withMinFreeSpace(minFreeSpace);
        return new ShareFollower(client, mirror, checksum, Duration.ofSeconds(1), console);
    }

    /** {@code follower} following on a thread of its own; how its run ended, if it does, is written to {@code out}. */
    static Thread running(ShareFollower follower, ByteArrayOutputStream out) {
        Thread thread = new Thread(() -> {
            try {
                follower.run();
            } catch (Exception e) {
                out.writeBytes(("run ended: " + e).getBytes(StandardCharsets.UTF_8));
            }
        }, "test-follower");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
