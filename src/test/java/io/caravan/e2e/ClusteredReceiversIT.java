package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caravan.TestTrees;
import io.caravan.session.postgres.TestDatabase;
import io.caravan.util.TreeSnapshot;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.caravan.util.Sha256;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two receiver processes on the PostgreSQL store (one database, one chunk folder, one inbox) behind a
 * round-robin TCP proxy, with a sender that only knows the proxy: a parcel's chunks land on both nodes
 * and it is published once; kill -9 of one node mid-upload is survived by the other; the Quartz cleanup
 * fires on one node per firing; content published through one node is deduplicated through the other.
 */
class ClusteredReceiversIT {

    private static final long MIB = 1 << 20;

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    private String url = TestDatabase.newDatabase();

    private String[] node(int port, String... extra) {
        List<String> args = new ArrayList<>(List.of("run", "--role", "receiver",
                "-Dcaravan.receiver.port=" + port,
                "-Dcaravan.receiver.inbox=" + dir.resolve("inbox"),
                "-Dcaravan.receiver.store=postgres",
                "-Dcaravan.receiver.db.url=" + url,
                "-Dcaravan.receiver.db.user=" + TestDatabase.USER,
                "-Dcaravan.receiver.chunk-dir=" + dir.resolve("chunks")));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    /** Node a on port {@code a} and node b on {@code b}, started together, once both answer HTTP. */
    private CaravanProcess[] bothNodes(int a, int b, String... extra) throws java.io.IOException {
        CaravanProcess nodeA = processes.start(dir, "node-a", node(a, extra));
        CaravanProcess nodeB = processes.start(dir, "node-b", node(b, extra));
        return new CaravanProcess[] {nodeA.awaitHttpReady(a), nodeB.awaitHttpReady(b)};
    }

    private static double chunksReceived(int port) {
        try {
            return E2e.metric(port, "caravan_chunks_received_total");
        } catch (Exception e) {
            return -1;
        }
    }

    @Test
    void oneSendsChunksLandOnBothNodesAndAKilledNodeIsSurvived() throws Exception {
        int a = E2e.freePort();
        int b = E2e.freePort();
        CaravanProcess nodeA = bothNodes(a, b)[0];
        Path file = Files.createDirectories(dir.resolve("src")).resolve("big.bin");
        TestTrees.random(file, 48 * MIB, 16);
        TreeSnapshot source = TreeSnapshot.of(file);
        try (RoundRobinProxy proxy = new RoundRobinProxy(List.of(a, b))) {
            CaravanProcess send = processes.start(dir, "send", "send", file.toString(), "--to", proxy.url(),
                    "--chunk-size", "1MiB", "--parallel", "4", "--bwlimit", "8MiB", "--codec", "none",
                    "--state-dir", dir.resolve("state").toString());
            await("chunks stored by both nodes").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                    .until(() -> chunksReceived(a) >= 2 && chunksReceived(b) >= 2);
            nodeA.kill(); // kill -9 mid-upload: its requests in flight fail, the sender's retries reach node b
            int exit = send.awaitExit(Duration.ofSeconds(180));
            assertThat(exit).as("the send, which only knew the proxy:\n%s", send.log()).isZero();
        }
        E2e.assertSameTree(source, dir.resolve("inbox/big.bin"));
        assertThat(E2e.openSessions(b)).as("sessions left open").isZero();
    }

    @Test
    void aDatabaseRestartDuringASendIsRiddenOut() throws Exception {
        int pgPort = E2e.freePort();
        EmbeddedPostgres db = database(pgPort);
        try {
            url = db.getJdbcUrl("postgres", "postgres");
            int a = E2e.freePort();
            int b = E2e.freePort();
            bothNodes(a, b);
            Path file = Files.createDirectories(dir.resolve("src")).resolve("during-restart.bin");
            TestTrees.random(file, 32 * MIB, 17);
            TreeSnapshot source = TreeSnapshot.of(file);
            try (RoundRobinProxy proxy = new RoundRobinProxy(List.of(a, b))) {
                CaravanProcess send = processes.start(dir, "send", "send", file.toString(), "--to", proxy.url(),
                        "--chunk-size", "1MiB", "--parallel", "4", "--bwlimit", "6MiB", "--codec", "none",
                        "--state-dir", dir.resolve("state").toString());
                await("chunks stored").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                        .until(() -> chunksReceived(a) + chunksReceived(b) >= 4);
                db.close(); // the database goes away mid-send: the nodes answer 503, the sender retries
                db = null;
                await("the nodes report the database down").atMost(Duration.ofSeconds(30))
                        .until(() -> CaravanProcess.status(a, "/health") == 503);
                await("an upload answered 503 database_unavailable").atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(200)).until(() -> refusedForTheDatabase(a, b));
                db = database(pgPort);
                int exit = send.awaitExit(Duration.ofSeconds(240));
                assertThat(exit).as("the send across the database restart:\n%s", send.log()).isZero();
            }
            E2e.assertSameTree(source, dir.resolve("inbox/during-restart.bin"));
        } finally {
            if (db != null) {
                db.close();
            }
        }
    }

    @Test
    void finishesSentToBothNodesAtOncePublishOnceWithOneAnswer() throws Exception {
        int a = E2e.freePort();
        int b = E2e.freePort();
        bothNodes(a, b);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        ExecutorService finishing = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 3; round++) {
                String name = "raw-" + round + ".bin";
                HttpResponse<String> start = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a + "/start"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + name + "\",\"kind\":\"raw\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(start.statusCode()).as(start.body()).isEqualTo(201);
                String sid = E2e.JSON.readTree(start.body()).get("session_id").asText();
                ByteArrayOutputStream whole = new ByteArrayOutputStream();
                for (int i = 0; i < 6; i++) {
                    byte[] chunk = new byte[256 * 1024];
                    new Random(round * 10L + i).nextBytes(chunk);
                    whole.write(chunk);
                    HttpResponse<String> put = http.send(HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + (i % 2 == 0 ? a : b) + "/upload/" + sid + "/" + i))
                            .header("X-Chunk-Sha256", Sha256.of(chunk, 0, chunk.length))
                            .PUT(HttpRequest.BodyPublishers.ofByteArray(chunk)).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
                }
                List<Future<HttpResponse<String>>> answers = new ArrayList<>();
                for (int port : List.of(a, b)) {
                    answers.add(finishing.submit(() -> http.send(HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + port + "/finish/" + sid))
                            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString())));
                }
                HttpResponse<String> first = answers.get(0).get();
                HttpResponse<String> second = answers.get(1).get();
                assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
                assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
                assertThat(E2e.JSON.readTree(second.body())).as("one publish, one answer").isEqualTo(E2e.JSON.readTree(first.body()));
                assertThat(Files.readAllBytes(dir.resolve("inbox").resolve(name))).isEqualTo(whole.toByteArray());
            }
        } finally {
            finishing.shutdownNow();
        }
        Path versions = dir.resolve("inbox/.caravan/versions");
        if (Files.isDirectory(versions)) {
            try (Stream<Path> kept = Files.walk(versions)) {
                assertThat(kept.filter(Files::isRegularFile).toList()).as("no publish replaced another").isEmpty();
            }
        }
    }

    @Test
    void contentPublishedThroughOneNodeIsNotSentAgainThroughTheOther() throws Exception {
        Path photos = Files.createDirectories(dir.resolve("photos"));
        for (int i = 1; i <= 3; i++) {
            TestTrees.random(photos.resolve("IMG_000" + i + ".raw"), (3L << 20) / 2 + i * 1000, 700 + i);
        }
        TreeSnapshot source = TreeSnapshot.of(photos);
        int a = E2e.freePort();
        int b = E2e.freePort();
        bothNodes(a, b);

        long first = E2e.chunkBytesOfSend(processes, dir, photos, "first", a);
        long second = E2e.chunkBytesOfSend(processes, dir, photos, "second", b);

        assertThat(first).isGreaterThan(4L << 20);
        assertThat(second).as("chunk bytes node b stored for content node a published").isLessThan(first / 100);
        E2e.assertSameTree(source, dir.resolve("inbox/first"));
        E2e.assertSameTree(source, dir.resolve("inbox/second"));
    }

    private static boolean refusedForTheDatabase(int... ports) {
        for (int port : ports) {
            try {
                if (CaravanProcess.get(port, "/metrics").body().contains("reason=\"database_unavailable\"")) {
                    return true;
                }
            } catch (Exception e) {
                // not answering: look at the next
            }
        }
        return false;
    }

    /** A PostgreSQL of this test's own on {@code port}, its data kept across a stop and a start. */
    private EmbeddedPostgres database(int port) throws Exception {
        return EmbeddedPostgres.builder().setDataDirectory(dir.resolve("pgdata")).setCleanDataDirectory(false)
                .setPort(port).start();
    }

    @Test
    void theCleanupFiresOnOneNodePerFiring() throws Exception {
        int a = E2e.freePort();
        int b = E2e.freePort();
        CaravanProcess[] nodes = bothNodes(a, b, "-Dcaravan.receiver.cleanup-cron=* * * * * ?");
        CaravanProcess nodeA = nodes[0];
        CaravanProcess nodeB = nodes[1];
        await("cleanup runs after both nodes started").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> cleanups(nodeB.log()).size() + cleanups(nodeA.log()).size() >= 12);
        Map<String, Integer> perSecond = new HashMap<>();
        List<String> all = new ArrayList<>(cleanups(nodeA.log()));
        all.addAll(cleanups(nodeB.log()));
        all.forEach(second -> perSecond.merge(second, 1, Integer::sum));
        long twice = perSecond.values().stream().filter(n -> n > 1).count();
        assertThat(twice).as("seconds in which both nodes ran the cleanup: %s", perSecond).isLessThanOrEqualTo(1);
    }

    /** The second (HH:mm:ss) of every cleanup run in a node's log. */
    private static List<String> cleanups(String log) {
        List<String> seconds = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^(\\d\\d:\\d\\d:\\d\\d)\\.\\d+ .*cleanup: \\d+ expired").matcher(log);
        while (m.find()) {
            seconds.add(m.group(1));
        }
        return seconds;
    }
}
