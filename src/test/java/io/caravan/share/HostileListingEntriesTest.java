package io.caravan.share;

import static io.caravan.share.FakeShare.file;
import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.sync.LocalMirror;
import io.caravan.sync.SyncConsole;
import io.caravan.sync.SyncGuards;
import io.caravan.sync.SyncMode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Entries a server lists that no folder can hold as listed (a link with an empty target, one over
 * {@value io.caravan.fs.NameRules#PATH_MAX} bytes or holding a NUL, a negative size) are refused as
 * {@code <path>: <reason>}, with control characters escaped, before anything is tried with them; the
 * rest is followed.
 */
class HostileListingEntriesTest {

    private static final long T = 1_700_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void entriesNoFolderCanHoldAreRefusedSayingWhy() throws Exception {
        try (FakeShare share = new FakeShare()) {
            share.listing(1, file("ok.txt", 2, T),
                    "{\"path\":\"lnk1\",\"type\":\"link\",\"target\":\"\"}",
                    "{\"path\":\"lnk2\",\"type\":\"link\",\"target\":\"a\\u0000b\\u001b[31m\"}",
                    "{\"path\":\"lnk3\",\"type\":\"link\",\"target\":\"" + "x".repeat(5000) + "\"}",
                    "{\"path\":\"neg\",\"type\":\"file\",\"size\":-5,\"mtime\":1000,\"mode\":420}");
            share.file("ok.txt", "ok");
            Path target = Files.createDirectories(dir.resolve("target"));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            List<String> refused = new CopyOnWriteArrayList<>();

            try (ShareFollower follower = share.follower(target, false, out, refused)) {
                follower.once();
            }

            String printed = out.toString(StandardCharsets.UTF_8);
            assertThat(target.resolve("ok.txt")).hasContent("ok");
            assertThat(printed).doesNotContain("Failed");
            assertThat(refused).anyMatch(r -> r.startsWith("lnk1: ") && r.contains("empty"))
                    .anyMatch(r -> r.startsWith("lnk2: ") && r.contains("NUL"))
                    .anyMatch(r -> r.startsWith("lnk3: ") && r.contains("4096"))
                    .anyMatch(r -> r.startsWith("neg: ") && r.contains("-5"));
            assertThat(String.join("\n", refused) + printed).doesNotContain("\u0000").doesNotContain("\u001b");
            assertThat(refused).allSatisfy(r -> assertThat(r.length()).isLessThan(400));
            for (String link : List.of("lnk1", "lnk2", "lnk3", "neg")) {
                assertThat(target.resolve(link)).doesNotExist();
            }
        }
    }

    @Test
    void aServersErrorMessageReachesTheConsoleEscaped() throws Exception {
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/shares/s/listing", x -> answer(x, 200, "{\"share\":\"s\",\"sequence\":1,\"entries\":[]}"));
        server.createContext("/shares/s/events", x -> answer(x, 500, "{\"message\":\"boom\\u001b[31m\\u0000red\"}"));
        server.start();
        try {
            Path target = Files.createDirectories(dir.resolve("target"));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            SyncConsole console = new SyncConsole(
                    new java.io.PrintStream(out, true, StandardCharsets.UTF_8));
            ShareClient client = new ShareClient("http://127.0.0.1:" + server.getAddress().getPort() + "/shares/s", null, "t",
                    null, why -> console.line("Refused: " + why));
            LocalMirror mirror = new LocalMirror(target, SyncMode.INCREMENTAL,
                    false, 2, List.of(), SyncGuards.DEFAULT, false, java.time.Duration.ofDays(1), console, client);
            ShareFollower follower = new ShareFollower(client, mirror, false, java.time.Duration.ofSeconds(1), console);
            Thread thread = FakeShare.running(follower, out);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> out.toString(StandardCharsets.UTF_8).contains("boom"));
            follower.close();
            thread.join(5000);

            assertThat(out.toString(StandardCharsets.UTF_8)).contains("boom").doesNotContain("\u001b").doesNotContain("\u0000");
        } finally {
            server.stop(0);
        }
    }

    private static void answer(com.sun.net.httpserver.HttpExchange x, int status, String body) throws java.io.IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        x.sendResponseHeaders(status, bytes.length);
        try (java.io.OutputStream o = x.getResponseBody()) {
            o.write(bytes);
        }
    }
}
