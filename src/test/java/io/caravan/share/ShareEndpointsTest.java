package io.caravan.share;

import io.caravan.TestTrees;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.receiver.ReceiverFixture;
import io.caravan.util.Sha256;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server side of a share on a real receiver: {@code GET /shares}, the listing with the current
 * sequence, a long-poll that is answered as soon as a change settles, {@code 410} for a cursor the
 * log no longer holds, ranged file reads, and many parked polls that take no thread each. A follower's
 * id is cut to {@link Shares#MAX_FOLLOWER_ID} printable characters where the server takes it, and the
 * console's overview lists at most 50 followers of a share, the newest first, with how many there are.
 */
class ShareEndpointsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path tmp;
    Path site;
    ReceiverFixture server;

    @BeforeEach
    void start() throws Exception {
        site = Files.createDirectories(tmp.resolve("site"));
        Files.writeString(site.resolve("a.txt"), "hello share");
        Files.createDirectories(site.resolve("docs"));
        Files.writeString(site.resolve("docs/ü b.txt"), "unicode");
        server = new ReceiverFixture(tmp.resolve("inbox"), Map.of("caravan.shares.site", site.toString(),
                "caravan.share.settle", "100ms"));
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    /**
     * While the server hashes a file for a listing with checksums, the answer keeps moving (whitespace, which
     * the JSON reader skips): a client reading with a 3 s timeout, and a follower with a 3 s stall timeout,
     * each get the whole listing while a new file of the share takes about 4 s to hash.
     */
    @Test
    void aChecksumListingKeepsMovingWhileAFileIsHashed() throws Exception {
        assertThat(server.get("/shares/site/listing?checksum=true").statusCode()).isEqualTo(200); // the others hashed
        Share share = server.context().getRegistry().lookupByNameAndType("shareApi", ShareApi.class).shares().get("site");
        share.hashReads(ShareEndpointsTest::slowDisk);

        String first = sharedFile("first.bin", 1);
        java.net.HttpURLConnection plain = (java.net.HttpURLConnection) java.net.URI.create(
                "http://127.0.0.1:" + server.port() + "/shares/site/listing?checksum=true").toURL().openConnection();
        plain.setReadTimeout(3_000);
        JsonNode listing = JSON.readTree(plain.getInputStream());
        assertThat(listing.path("entries").findValuesAsText("sha256")).contains(first);

        String second = sharedFile("second.bin", 2);
        ShareClient follower = new ShareClient("http://127.0.0.1:" + server.port() + "/shares/site", null, "t", null, r -> { })
                .stallTimeout(Duration.ofSeconds(3));
        assertThat(follower.listing(true).entries().get("second.bin").sha256()).isEqualTo(second);
    }

    /**
     * A new file of 320 KiB in the share, once the share lists it; its SHA-256. Hashed from {@link #slowDisk} it takes
     * six reads (4.2 s), over the 3 s the clients here wait for a byte.
     */
    private String sharedFile(String name, long seed) throws Exception {
        Path file = site.resolve(name);
        TestTrees.random(file, 320 << 10, seed);
        await().atMost(Duration.ofSeconds(30)).until(() -> server.get("/shares/site/listing").body().contains(name));
        try (java.io.InputStream in = Files.newInputStream(file)) {
            return Sha256.of(in, new byte[1 << 16]);
        }
    }

    /** {@code in} read as from a slow disk: 0.7 s a read (a hash reads 64 KiB at a time). */
    private static java.io.InputStream slowDisk(java.io.InputStream in) {
        return new java.io.FilterInputStream(in) {
            @Override
            public int read(byte[] bytes, int offset, int length) throws java.io.IOException {
                try {
                    Thread.sleep(700);
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException("stopped");
                }
                return super.read(bytes, offset, length);
            }
        };
    }

    /**
     * The shared folder replaced by a link to another folder while the server runs: nothing of that folder is served,
     * whatever path is asked, and the share says it is failing (its listing answers 503 saying why) instead of
     * listing nothing, which a follower allowed an empty source would take for "delete everything". Before, the file
     * endpoints resolved paths through the link and served the other folder's files, while the listing was empty.
     */
    @Test
    void aSharedFolderSwappedForALinkServesNothingThroughItAndSaysSo() throws Exception {
        server.close();
        server = new ReceiverFixture(tmp.resolve("inbox"), Map.of("caravan.shares.site", site.toString(),
                "caravan.share.settle", "100ms", "caravan.share.rescan", "1s"));
        Path other = Files.createDirectories(tmp.resolve("other"));
        Files.writeString(other.resolve("secret.txt"), "OTHER SECRET");
        Files.move(site, tmp.resolve("site-away"));
        Files.createSymbolicLink(site, other);

        assertThat(server.get("/shares/site/files?path=secret.txt").body()).doesNotContain("OTHER SECRET");
        HttpRequest bundle = HttpRequest.newBuilder(server.uri("/shares/site/files")).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"paths\":[\"secret.txt\"]}")).build();
        assertThat(new String(HTTP.send(bundle, HttpResponse.BodyHandlers.ofByteArray()).body(), StandardCharsets.ISO_8859_1))
                .doesNotContain("OTHER SECRET");
        await().atMost(Duration.ofSeconds(30)).until(() -> server.get("/shares/site/listing").statusCode() == 503);
        assertThat(server.get("/shares/site/listing").body()).contains("share_failing", "symbolic link");
    }

    /** A link is listed with its own mtime (to the millisecond), which a follower gives the link it makes. */
    @Test
    void aLinkIsListedWithItsOwnTime() throws Exception {
        Files.createSymbolicLink(site.resolve("link.txt"), java.nio.file.Path.of("a.txt"));
        io.caravan.fs.FileTimes.setModified(site.resolve("link.txt"), java.nio.file.attribute.FileTime.fromMillis(981_173_106_789L));
        await().atMost(Duration.ofSeconds(30)).until(() -> server.get("/shares/site/listing").body().contains("link.txt"));

        JsonNode link = null;
        for (JsonNode entry : JSON.readTree(server.get("/shares/site/listing").body()).path("entries")) {
            link = entry.path("path").asText().equals("link.txt") ? entry : link;
        }
        assertThat(link.path("target").asText()).isEqualTo("a.txt");
        assertThat(link.path("mtime").asLong()).isEqualTo(981_173_106_789L);
    }

    @Test
    void listsSharesAndTheirTree() throws Exception {
        HttpResponse<String> shares = server.get("/shares");
        assertThat(shares.statusCode()).isEqualTo(200);
        JsonNode share = JSON.readTree(shares.body()).path("shares").get(0);
        assertThat(share.path("name").asText()).isEqualTo("site");
        assertThat(share.has("latest")).isTrue();

        HttpResponse<String> listing = server.get("/shares/site/listing");
        assertThat(listing.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(listing.body());
        assertThat(body.has("sequence")).isTrue();
        List<String> paths = new ArrayList<>();
        body.path("entries").forEach(e -> paths.add(e.path("path").asText() + ":" + e.path("type").asText() + ":" + e.path("size").asLong()));
        assertThat(paths).containsExactlyInAnyOrder("a.txt:file:11", "docs:dir:0", "docs/ü b.txt:file:7");

        HttpResponse<String> unknown = server.get("/shares/nope/listing");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(unknown.body()).path("error").asText()).isEqualTo("not_found");
    }

    @Test
    void longPollIsAnsweredWhenAChangeSettles() throws Exception {
        long seq = JSON.readTree(server.get("/shares/site/listing").body()).path("sequence").asLong();
        CompletableFuture<HttpResponse<String>> poll = HTTP.sendAsync(
                HttpRequest.newBuilder(server.uri("/shares/site/events?since=" + seq + "&timeout=20")).build(),
                HttpResponse.BodyHandlers.ofString());
        Files.writeString(site.resolve("new.txt"), "new");
        HttpResponse<String> answer = poll.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(answer.statusCode()).isEqualTo(200);
        JsonNode events = JSON.readTree(answer.body()).path("events");
        assertThat(events.size()).isGreaterThanOrEqualTo(1);
        assertThat(events.get(0).path("type").asText()).isEqualTo("CREATE");
        assertThat(events.get(0).path("path").asText()).isEqualTo("new.txt");
        assertThat(events.get(0).path("seq").asLong()).isEqualTo(seq + 1);

        Files.move(site.resolve("new.txt"), site.resolve("renamed.txt"));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            JsonNode next = JSON.readTree(server.get("/shares/site/events?since=" + (seq + 1) + "&timeout=0").body());
            assertThat(next.path("events").toString()).contains("\"RENAME\"").contains("renamed.txt");
        });
    }

    @Test
    void aCursorTheLogDoesNotHoldIsGone() throws Exception {
        HttpResponse<String> future = server.get("/shares/site/events?since=999999&timeout=0");
        assertThat(future.statusCode()).isEqualTo(410);
        assertThat(JSON.readTree(future.body()).path("error").asText()).isEqualTo("cursor_expired");
    }

    /** A share's name is one path segment as sent: an escaped slash in it names no share, never the part before it. */
    @Test
    void aShareNameWithAnEscapedSlashNamesNoShare() throws Exception {
        for (String path : new String[] {"/shares/site%2fx/listing", "/shares/site%2F..%2F../listing",
                "/shares/site%2fdocs/files?path=a.txt", "/shares/site%2f/events?since=0&timeout=0"}) {
            HttpResponse<String> answer = server.get(path);
            assertThat(answer.statusCode()).as(path + ": " + answer.body()).isEqualTo(404);
            assertThat(JSON.readTree(answer.body()).path("message").asText()).as(path).contains("no share named 'site/");
        }
        assertThat(server.get("/shares/s%69te/listing").statusCode()).as("an escaped letter").isEqualTo(200);
    }

    @Test
    void aNegativeTimeoutIs400() throws Exception {
        HttpResponse<String> answer = server.get("/shares/site/events?since=0&timeout=-5");
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(400);
        assertThat(JSON.readTree(answer.body()).path("message").asText()).contains("timeout");
    }

    /** A folder or a missing path of a share is answered about the share, never with the parcels' endpoints. */
    @Test
    void aShareFileThatIsNotThereOrAFolderIsAnsweredAboutTheShare() throws Exception {
        HttpResponse<String> folder = server.get("/shares/site/files?path=docs");
        assertThat(folder.statusCode()).as(folder.body()).isEqualTo(400);
        assertThat(folder.body()).contains("folder").contains("listing").doesNotContain("/parcels");
        HttpResponse<String> missing = server.get("/shares/site/files?path=nothing.txt");
        assertThat(missing.statusCode()).as(missing.body()).isEqualTo(404);
        assertThat(missing.body()).contains("nothing.txt").contains("listing").doesNotContain("/parcels").doesNotContain("published");
    }

    @Test
    void servesFilesWithRanges() throws Exception {
        HttpResponse<String> part = server.send("GET", "/shares/site/files?path=a.txt", null, "Range", "bytes=6-");
        assertThat(part.statusCode()).isEqualTo(206);
        assertThat(part.body()).isEqualTo("share");
        HttpResponse<String> unicode = server.get("/shares/site/files?path="
                + java.net.URLEncoder.encode("docs/ü b.txt", StandardCharsets.UTF_8).replace("+", "%20"));
        assertThat(unicode.body()).isEqualTo("unicode");
        assertThat(server.get("/shares/site/files?path=../inbox").statusCode()).isEqualTo(400);
    }

    @Test
    void servesSeveralFilesInOneAnswerInTheOrderAsked() throws Exception {
        Files.createSymbolicLink(site.resolve("link.txt"), site.resolve("a.txt"));
        HttpRequest request = HttpRequest.newBuilder(server.uri("/shares/site/files")).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"paths\":[\"a.txt\",\"missing.txt\",\"docs/ü b.txt\","
                        + "\"../inbox\",\"link.txt\",\"docs\",\"a.txt\"]}")).build();
        HttpResponse<byte[]> answer = HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
        assertThat(answer.statusCode()).isEqualTo(200);
        java.io.DataInputStream in = new java.io.DataInputStream(new java.io.ByteArrayInputStream(answer.body()));
        List<String> served = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            long length = in.readLong();
            served.add(length < 0 ? "-" : new String(in.readNBytes((int) length), StandardCharsets.UTF_8));
        }
        assertThat(served).as("each path's content, or -1 for what is not a regular file of the share")
                .containsExactly("hello share", "-", "unicode", "-", "-", "-", "hello share");
        assertThat(in.read()).as("nothing after the last").isEqualTo(-1);
    }

    @Test
    void bundlesTakeNoWriterThreadSoManyFollowersAreServedAtOnce() throws Exception {
        server.close();
        server = new ReceiverFixture(tmp.resolve("inbox"), Map.of("caravan.shares.site", site.toString(),
                "caravan.receiver.listing-threads", "1"));
        StringBuilder paths = new StringBuilder("{\"paths\":[");
        for (int i = 0; i < 16; i++) {
            TestTrees.random(site.resolve("m" + i + ".bin"), 1 << 20, i);
            paths.append(i == 0 ? "" : ",").append("\"m").append(i).append(".bin\"");
        }
        byte[] body = paths.append("]}").toString().getBytes(StandardCharsets.UTF_8);
        List<java.net.Socket> readers = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) { // six followers asking at once and reading slowly (not at all, here)
                java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port());
                readers.add(socket);
                socket.setSoTimeout(20_000);
                socket.getOutputStream().write(("POST /shares/site/files HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().write(body);
                socket.getOutputStream().flush();
                String status = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                        StandardCharsets.US_ASCII)).readLine();
                assertThat(status).as("the answer to bundle request " + (i + 1)).isEqualTo("HTTP/1.1 200 OK");
            }
        } finally {
            for (java.net.Socket socket : readers) {
                socket.close();
            }
        }
    }

    @Test
    void aBundleServesNoFileOverItsCapAndNoMoreBytesThanItsTotal() throws Exception {
        TestTrees.random(site.resolve("two-mib.bin"), 2 << 20, 1);
        TestTrees.random(site.resolve("one-mib.bin"), 1 << 20, 2);
        int asked = 100;
        StringBuilder paths = new StringBuilder("{\"paths\":[\"two-mib.bin\"");
        for (int i = 0; i < asked; i++) {
            paths.append(",\"one-mib.bin\"");
        }
        HttpRequest request = HttpRequest.newBuilder(server.uri("/shares/site/files")).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(paths.append("]}").toString())).build();
        HttpResponse<java.io.InputStream> answer = HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(answer.statusCode()).isEqualTo(200);
        long total = 0;
        int served = 0;
        try (java.io.DataInputStream in = new java.io.DataInputStream(answer.body())) {
            assertThat(in.readLong()).as("a file larger than a bundle takes (asked alone instead)").isEqualTo(-1);
            for (int i = 0; i < asked; i++) {
                long length = in.readLong();
                if (length >= 0) {
                    in.skipNBytes(length);
                    total += length;
                    served++;
                }
            }
            assertThat(in.read()).isEqualTo(-1);
        }
        assertThat(total).as("bytes one answer serves, however often a file is asked").isLessThanOrEqualTo(ShareBundle.MAX_ANSWER);
        assertThat(served).isPositive().isLessThan(asked);
    }

    @Test
    void aFileThatShrinksWhileABundleServesItEndsTheAnswerThere() throws Exception {
        TestTrees.random(site.resolve("m.bin"), 1 << 20, 3);
        StringBuilder paths = new StringBuilder("{\"paths\":[\"m.bin\"");
        for (int i = 0; i < 29; i++) {
            paths.append(",\"m.bin\"");
        }
        byte[] body = paths.append("]}").toString().getBytes(StandardCharsets.UTF_8);
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.setReceiveBufferSize(16 * 1024);
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", server.port()));
            socket.setSoTimeout(15_000);
            socket.getOutputStream().write(("POST /shares/site/files HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().write(body);
            java.io.InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            long read = in.read(buffer);
            assertThat(new String(buffer, 0, 12, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");
            try (java.nio.channels.FileChannel file = java.nio.channels.FileChannel.open(site.resolve("m.bin"),
                    java.nio.file.StandardOpenOption.WRITE)) {
                file.truncate(100); // the answer is far from its end: the server reads on as the client takes more
            }
            // read until the chunked answer's last chunk (the connection stays open for the next request):
            // a read that times out is an answer left hanging
            String tail = "";
            for (int n; !tail.endsWith("\r\n0\r\n\r\n") && (n = in.read(buffer)) >= 0; ) {
                read += n;
                tail = (tail + new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
                tail = tail.substring(Math.max(0, tail.length() - 7));
            }
            assertThat(tail).as("the chunked answer's last chunk").endsWith("\r\n0\r\n\r\n");
            assertThat(read).as("the answer ended short of its 30 MiB").isLessThan(30L << 20);
        }
    }

    @Test
    void aBundleRequestMustBeExactlyItsShape() throws Exception {
        assertThat(server.post("/shares/site/files", "{\"paths\":[\"a.txt\"]} trailing").statusCode()).isEqualTo(400);
        assertThat(server.post("/shares/site/files", "{\"paths\":[\"a.txt\"],\"paths\":[\"a.txt\"]}").statusCode()).isEqualTo(400);
        HttpResponse<String> unknown = server.post("/shares/site/files", "{\"paths\":[\"a.txt\"],\"path\":\"b.txt\"}");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(unknown.body()).path("message").asText()).startsWith("path is not a field of this request");
        assertThat(server.post("/shares/site/files", "{\"paths\":[\"a.txt\"]}").statusCode()).isEqualTo(200);
    }

    @Test
    void refusesAskingForMoreFilesThanOneAnswerServes() throws Exception {
        StringBuilder paths = new StringBuilder("{\"paths\":[");
        for (int i = 0; i <= ShareBundle.MAX_PATHS; i++) {
            paths.append(i == 0 ? "" : ",").append("\"f").append(i).append('"');
        }
        HttpResponse<String> tooMany = server.post("/shares/site/files", paths.append("]}").toString());
        assertThat(tooMany.statusCode()).isEqualTo(413);
        assertThat(JSON.readTree(tooMany.body()).path("error").asText()).isEqualTo("too_many_values");

        HttpResponse<String> notJson = server.post("/shares/site/files", "a.txt");
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(notJson.body()).path("message").asText()).contains("{\"paths\":")
                .as("said in the request's terms, not the JSON reader's").doesNotContain("token").contains("line 1, column");
        assertThat(server.post("/shares/site/files", "{\"paths\":[1]}").statusCode()).isEqualTo(400);
        assertThat(server.post("/shares/nope/files", "{\"paths\":[\"a.txt\"]}").statusCode()).isEqualTo(404);
    }

    @Test
    void parkedPollsTakeNoThreadEach() throws Exception {
        long seq = JSON.readTree(server.get("/shares/site/listing").body()).path("sequence").asLong();
        server.get("/shares/site/events?since=" + seq + "&timeout=0"); // the server's threads for one request exist
        java.util.Set<Thread> before = Thread.getAllStackTraces().keySet();
        List<CompletableFuture<HttpResponse<String>>> polls = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            polls.add(HTTP.sendAsync(HttpRequest.newBuilder(server.uri("/shares/site/events?since=" + seq + "&timeout=5")).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        // all 60 parked at once: seen before the first of them is answered, 5 s after it came
        await().atMost(Duration.ofSeconds(5)).until(() -> server.get("/shares").body().contains("\"waiting\":60"));
        // the server's threads (Netty workers, its executor group) stay a fixed few; the test's own HTTP client is not counted
        List<String> added = Thread.getAllStackTraces().keySet().stream().filter(t -> !before.contains(t))
                .map(Thread::getName).filter(n -> !n.startsWith("HttpClient")).toList();
        assertThat(added).hasSizeLessThan(20);
        for (CompletableFuture<HttpResponse<String>> poll : polls) {
            HttpResponse<String> answer = poll.get(20, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(answer.body()).path("events").size()).isZero();
        }
    }

    @Test
    void theOverviewListsAtMostFiftyFollowersOfAShareNewestFirst() throws Exception {
        for (int i = 0; i < 60; i++) {
            HttpResponse<String> poll = server.send("GET", "/shares/site/events?since=0&timeout=0", null,
                    "X-Caravan-Follower", String.format("f%02d-", i) + "x".repeat(7000));
            assertThat(poll.statusCode()).isEqualTo(200);
        }

        HttpResponse<String> answer = server.get("/console/api/overview");

        assertThat(answer.statusCode()).isEqualTo(200);
        JsonNode share = JSON.readTree(answer.body()).path("shares").get(0);
        assertThat(share.path("name").asText()).isEqualTo("site");
        assertThat(share.path("followers_total").asInt()).isEqualTo(60);
        List<String> followers = new ArrayList<>();
        share.path("followers").forEach(f -> followers.add(f.asText()));
        assertThat(followers).hasSize(50);
        assertThat(followers.get(0)).startsWith("f59-");
        assertThat(followers.get(49)).startsWith("f10-");
        assertThat(followers).allSatisfy(f -> assertThat(f).hasSizeLessThanOrEqualTo(Shares.MAX_FOLLOWER_ID + 20));
        assertThat(answer.body().length()).isLessThan(20_000);
    }

    @Test
    void aFollowerIdIsCutToPrintableCharacters() throws Exception {
        server.send("GET", "/shares/site/events?since=0&timeout=0", null, "X-Caravan-Follower", "host:/dir\t\tend");

        JsonNode share = JSON.readTree(server.get("/console/api/overview").body()).path("shares").get(0);

        assertThat(share.path("followers").get(0).asText()).startsWith("host:/dir??end");
    }

    @Test
    void aShareWhoseScanFailsSaysSoAndItsPollsAreAnswered503() throws Exception {
        server.close();
        server = new ReceiverFixture(tmp.resolve("inbox"), Map.of("caravan.shares.site", site.toString(),
                "caravan.share.settle", "100ms", "caravan.share.rescan", "1s"));
        Files.move(site, tmp.resolve("away")); // the shared folder is gone: its next scan fails

        await().atMost(Duration.ofSeconds(20)).until(() -> JSON.readTree(server.get("/shares").body())
                .path("shares").get(0).has("error"));
        HttpResponse<String> poll = server.get("/shares/site/events?since=0&timeout=1");

        assertThat(poll.statusCode()).isEqualTo(503);
        JsonNode body = JSON.readTree(poll.body());
        assertThat(body.path("error").asText()).isEqualTo("share_failing");
        assertThat(body.path("message").asText()).contains("share 'site'").contains("tried again");
    }
}
