package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.PackUnpack;
import io.caravan.TestTrees;
import io.caravan.pack.ChunkInfo;
import io.caravan.pack.Manifest;
import io.caravan.pack.PartFiles;
import io.caravan.util.Sha256;
import io.caravan.util.TreeSnapshot;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * DESIGN §3 crash safety with a real {@code kill -9}: {@code caravan serve} runs as a separate JVM,
 * an archive session is uploaded from several threads, and the process is SIGKILLed in the middle
 * of the uploads. After a restart on the same inbox and port, {@code /status} must hold every chunk
 * that was acknowledged with a 2xx (with its right hash) and nothing that is not a complete,
 * correct chunk; uploading only the missing chunks and finishing publishes the source tree exactly.
 */
class ReceiverCrashIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CHUNK = 64 * 1024;
    private static final int UPLOADERS = 3;
    private static final Pattern CHUNK_FILE = Pattern.compile("(\\d{8})-([0-9a-f]{64})\\.chunk");

    @TempDir
    Path tmp;

    private Process server;
    private Path serverLog;
    /** The receiver's root folder and port, the same across its restarts. */
    private Path root;
    private int port;

    @org.junit.jupiter.api.BeforeEach
    void receiverPlace() throws IOException {
        root = tmp.resolve("inbox");
        port = ReceiverFixture.freePort();
        serverLog = tmp.resolve("serve.log");
    }

    @AfterEach
    void killServer() throws InterruptedException {
        if (server != null && server.isAlive()) {
            server.destroyForcibly();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void acknowledgedChunksSurviveKillNineAndTheParcelCompletesAfterRestart() throws Exception {
        Path source = TestTrees.fidelityTree(tmp.resolve("src"), "tree");
        TestTrees.random(source.resolve("bulk.bin"), 5L * 1024 * 1024 + 4321, 42);
        Manifest manifest = PackUnpack.pack(source, tmp.resolve("parts/tree"), "zstd", CHUNK);
        Path prefix = tmp.resolve("parts/tree").toAbsolutePath();
        int total = manifest.totalChunks();
        assertThat(total).as("enough parts to kill the receiver in the middle").isGreaterThan(40);

        try {
            String sid = startServerAndSession(root, port);
            HttpClient before = client();

            // Upload from several threads; kill -9 once a third of the parts are acknowledged.
            Map<Integer, String> acknowledged = new ConcurrentHashMap<>();
            ConcurrentLinkedQueue<Integer> todo = new ConcurrentLinkedQueue<>();
            for (int i = 0; i < total; i++) {
                todo.add(i);
            }
            CountDownLatch third = new CountDownLatch(1);
            AtomicInteger inFlight = new AtomicInteger();
            AtomicInteger failedAfterKill = new AtomicInteger();
            ExecutorService uploaders = Executors.newFixedThreadPool(UPLOADERS);
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < UPLOADERS; t++) {
                workers.add(uploaders.submit(() -> {
                    for (Integer idx; (idx = todo.poll()) != null; ) {
                        ChunkInfo chunk = manifest.chunks().get(idx);
                        byte[] body = Files.readAllBytes(PartFiles.part(prefix, idx));
                        HttpResponse<String> put;
                        inFlight.incrementAndGet();
                        try {
                            put = send(before, port, "PUT", "/upload/" + sid + "/" + idx, body,
                                    "X-Chunk-Sha256", chunk.checksum(), "Content-Type", "application/octet-stream");
                        } catch (IOException e) {
                            failedAfterKill.incrementAndGet();
                            return null; // the receiver is gone
                        } finally {
                            inFlight.decrementAndGet();
                        }
                        assertThat(put.statusCode()).as("PUT %d: %s", idx, put.body()).isBetween(200, 299);
                        acknowledged.put(idx, chunk.checksum());
                        if (acknowledged.size() >= total / 3) {
                            third.countDown();
                        }
                    }
                    return null;
                }));
            }
            assertThat(third.await(20, TimeUnit.SECONDS)).as("a third of the parts were acknowledged").isTrue();
            int busy = inFlight.get();
            server.destroyForcibly();
            assertThat(server.waitFor(10, TimeUnit.SECONDS)).isTrue();
            for (Future<?> worker : workers) {
                worker.get(30, TimeUnit.SECONDS);
            }
            uploaders.shutdown();
            Map<Integer, String> acked = new TreeMap<>(acknowledged);
            System.out.printf("killed with %d PUTs in flight; %d of %d parts acknowledged; %d PUTs failed%n",
                    busy, acked.size(), total, failedAfterKill.get());
            assertThat(acked.size()).as("the kill came before the last part").isLessThan(total);

            // On disk, before any restart: every file that looks like a stored chunk is complete and correct.
            Path chunkDir = root.resolve(".caravan/sessions").resolve(sid).resolve("chunks");
            Map<Integer, String> onDisk = chunksOnDisk(chunkDir, manifest);
            assertThat(onDisk).containsAllEntriesOf(acked);

            // Restart on the same inbox and port: the session is rebuilt from the chunk files.
            startServer(root, port);
            HttpClient after = client();
            HttpResponse<String> status = send(after, port, "GET", "/status/" + sid, null);
            assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
            JsonNode state = JSON.readTree(status.body());
            Map<Integer, String> listed = new TreeMap<>();
            state.get("chunks").fields().forEachRemaining(e -> listed.put(Integer.parseInt(e.getKey()), e.getValue().asText()));
            List<Integer> received = new ArrayList<>();
            state.get("received").forEach(n -> received.add(n.asInt()));
            assertThat(received).containsExactlyElementsOf(listed.keySet());
            assertThat(listed).as("no acknowledged chunk is lost").containsAllEntriesOf(acked);
            long bytes = 0;
            for (Map.Entry<Integer, String> e : listed.entrySet()) {
                ChunkInfo expected = manifest.chunks().get(e.getKey());
                assertThat(e.getValue()).as("chunk %d listed after the restart", e.getKey()).isEqualTo(expected.checksum());
                bytes += expected.size();
            }
            assertThat(state.get("bytes").asLong()).isEqualTo(bytes);
            assertThat(listed).isEqualTo(onDisk);

            // Upload only what is missing, then finish with the manifest.
            List<Integer> missing = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                if (!listed.containsKey(i)) {
                    missing.add(i);
                }
            }
            assertThat(missing).isNotEmpty();
            for (int idx : missing) {
                HttpResponse<String> put = send(after, port, "PUT", "/upload/" + sid + "/" + idx,
                        Files.readAllBytes(PartFiles.part(prefix, idx)),
                        "X-Chunk-Sha256", manifest.chunks().get(idx).checksum(), "Content-Type", "application/octet-stream");
                assertThat(put.statusCode()).as("PUT %d after the restart: %s", idx, put.body()).isEqualTo(201);
            }
            HttpResponse<String> finish = send(after, port, "POST", "/finish/" + sid,
                    manifest.toJson().getBytes(StandardCharsets.UTF_8), "Content-Type", "application/json");
            assertThat(finish.statusCode()).as(finish.body()).isEqualTo(200);
            JsonNode result = JSON.readTree(finish.body());
            assertThat(result.get("path").asText()).isEqualTo("tree");
            assertThat(result.get("sha256").asText()).isEqualTo(manifest.sha256());

            assertThat(TreeSnapshot.of(source).differences(TreeSnapshot.of(root.resolve("tree")))).isEmpty();
            assertThat(root.resolve(".caravan/sessions").resolve(sid)).doesNotExist();
        } catch (Throwable failure) {
            if (Files.exists(serverLog)) {
                System.err.println("---- caravan serve log ----\n" + Files.readString(serverLog));
            }
            throw failure;
        }
    }

    /**
     * An archive extraction that passed a restart point records a checkpoint beside its staging folder;
     * after a {@code kill -9} the restarted receiver resumes the extraction there, not from chunk 0, and
     * the parcel still publishes exactly the source tree.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void anArchiveExtractionResumesFromItsCheckpointAfterKillNine() throws Exception {
        Path source = TestTrees.fidelityTree(tmp.resolve("src"), "tree");
        for (int d = 0; d < 6; d++) {
            StringBuilder text = new StringBuilder();
            for (int line = 0; text.length() < 1_500_000; line++) {
                text.append("line ").append(line * 7919 % 100_003).append(" of folder ").append(d).append('\n');
            }
            TestTrees.write(Files.createDirectories(source.resolve("data/d" + d)).resolve("log.txt"), text.toString());
            TestTrees.random(source.resolve("data/d" + d + "/noise.bin"), 700_000, d);
        }
        int chunkSize = 256 * 1024;
        Manifest manifest = PackUnpack.pack(source, tmp.resolve("parts/tree"), "zstd", chunkSize);
        Path prefix = tmp.resolve("parts/tree").toAbsolutePath();
        int total = manifest.totalChunks();
        try {
            String sid = startServerAndSession(root, port);
            HttpClient before = client();
            Path checkpoint = root.resolve(".caravan/staging").resolve(sid + ".checkpoint");

            // in order, until the extraction recorded a checkpoint, and a few chunks more
            int sent = 0;
            int after = -1;
            while (sent < total && (after < 0 || sent < after)) {
                put(before, port, sid, manifest, prefix, sent++);
                if (after < 0 && Files.exists(checkpoint)) {
                    after = Math.min(total - 1, sent + 3);
                }
            }
            await("the extraction records a checkpoint").atMost(Duration.ofSeconds(20)).until(() -> Files.exists(checkpoint));
            assertThat(sent).as("the kill comes before the last chunk").isLessThan(total);
            server.destroyForcibly();
            assertThat(server.waitFor(10, TimeUnit.SECONDS)).isTrue();
            JsonNode recorded = JSON.readTree(Files.readString(checkpoint));
            assertThat(recorded.get("compressed").asLong()).isPositive();
            assertThat(recorded.get("entries").asLong()).isPositive();

            startServer(root, port);
            await("the extraction resumes from its checkpoint").atMost(Duration.ofSeconds(20))
                    .until(() -> Files.readString(serverLog).contains("extraction resumed from its checkpoint at byte "
                            + recorded.get("compressed").asLong()));
            HttpClient later = client();
            for (int idx = sent; idx < total; idx++) {
                put(later, port, sid, manifest, prefix, idx);
            }
            assertFinishes(later, port, sid, manifest, source, root);
            assertThat(Files.readString(serverLog)).doesNotContain("extracts from chunk 0 again");
            assertThat(checkpoint).doesNotExist();
        } catch (Throwable failure) {
            printServerLog();
            throw failure;
        }
    }

    /**
     * A receiver killed while it merges a parcel (a plain tar, as {@code --codec none} sends) into a folder already in the
     * inbox (half of the files moved in) is
     * asked to finish the parcel again after its restart: the merge is completed, every file the parcel's own. Before,
     * the restart resumed the extraction from its checkpoint at the end of a staging folder half moved out, and the
     * finish answered 422 {@code damaged_stream} for chunks that were whole, leaving the folder half old, half new.
     */
    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aMergeKilledWhileItPublishesIsCompletedByTheNextFinish() throws Exception {
        List<Path> watched = new ArrayList<>();
        Path[] versions = new Path[2];
        for (int v = 1; v <= 2; v++) {
            Path tree = tmp.resolve("v" + v + "/tree");
            for (int d = 0; d < 20; d++) {
                Path folder = Files.createDirectories(tree.resolve("d" + d));
                for (int f = 0; f < 1000; f++) {
                    Files.writeString(folder.resolve("f" + f + ".txt"), "v" + v + " of d" + d + "/f" + f + "\n");
                }
                if (v == 1) {
                    for (int f = 0; f < 1000; f += 50) {
                        watched.add(root.resolve("tree/d" + d + "/f" + f + ".txt"));
                    }
                }
            }
            versions[v - 1] = tree;
        }
        int chunk = 4 << 20; // a few chunks, each extracted as it arrives (kept as no file of its own)
        Manifest first = PackUnpack.pack(versions[0], tmp.resolve("parts1/tree"), "none", chunk);
        Manifest second = PackUnpack.pack(versions[1], tmp.resolve("parts2/tree"), "none", chunk);
        Path prefix2 = tmp.resolve("parts2/tree").toAbsolutePath();
        try {
            startServer(root, port);
            HttpClient before = client();
            String sid = JSON.readTree(send(before, port, "POST", "/start", ("{\"codec\":\"none\",\"name\":\"tree\",\"chunk_size\":"
                    + chunk + "}").getBytes(StandardCharsets.UTF_8), "Content-Type", "application/json").body()).get("session_id").asText();
            for (int idx = 0; idx < first.totalChunks(); idx++) {
                put(before, port, sid, first, tmp.resolve("parts1/tree").toAbsolutePath(), idx);
            }
            assertFinishes(before, port, sid, first, versions[0], root);

            String merge = JSON.readTree(send(before, port, "POST", "/start", ("{\"codec\":\"none\",\"name\":\"tree\",\"chunk_size\":"
                    + chunk + "}").getBytes(StandardCharsets.UTF_8), "Content-Type", "application/json").body()).get("session_id").asText();
            for (int idx = 0; idx < second.totalChunks(); idx++) {
                put(before, port, merge, second, prefix2, idx);
            }
            ExecutorService finishing = Executors.newSingleThreadExecutor();
            try {
                finishing.submit(() -> send(before, port, "POST", "/finish/" + merge + "?on_conflict=merge",
                        second.toJson().getBytes(StandardCharsets.UTF_8), "Content-Type", "application/json"));
                await("the merge moves its first file in").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(1))
                        .until(() -> watched.stream().anyMatch(ReceiverCrashIT::ofTheSecond));
                Thread.sleep(800); // well inside the merge of 20,000 files
                server.destroyForcibly();
                assertThat(server.waitFor(10, TimeUnit.SECONDS)).isTrue();
            } finally {
                finishing.shutdownNow();
            }
            long moved = watched.stream().filter(ReceiverCrashIT::ofTheSecond).count();
            assertThat(moved).as("killed in the middle of the merge").isBetween(1L, watched.size() - 1L);

            startServer(root, port);
            HttpClient later = client();
            HttpResponse<String> finish = null;
            for (int round = 0; round < 4; round++) {
                JsonNode status = JSON.readTree(send(later, port, "GET", "/status/" + merge, null).body());
                for (int idx = 0; idx < second.totalChunks(); idx++) {
                    if (!status.path("chunks").has(String.valueOf(idx))) {
                        put(later, port, merge, second, prefix2, idx);
                    }
                }
                finish = send(later, port, "POST", "/finish/" + merge + "?on_conflict=merge",
                        second.toJson().getBytes(StandardCharsets.UTF_8), "Content-Type", "application/json");
                if (finish.statusCode() != 409) {
                    break;
                }
            }
            assertThat(finish.statusCode()).as(finish.body()).isEqualTo(200);
            for (int d = 0; d < 20; d++) {
                for (int f = 0; f < 1000; f++) {
                    assertThat(root.resolve("tree/d" + d + "/f" + f + ".txt")).hasContent("v2 of d" + d + "/f" + f);
                }
            }
        } catch (Throwable failure) {
            printServerLog();
            throw failure;
        }
    }

    private static boolean ofTheSecond(Path file) {
        try {
            return Files.readString(file).startsWith("v2");
        } catch (IOException e) {
            return false; // being moved
        }
    }

    /**
     * Chunks acknowledged without being written (covered by a checkpoint of their extraction, listed in
     * {@code chunks.log}) are received after a kill -9: {@code /status} lists them, the extraction resumes
     * from its checkpoint past them, and the parcel completes with the chunks that were missing.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void chunksAcknowledgedWithoutFilesAreReceivedAfterKillNine() throws Exception {
        int chunkSize = 512 * 1024;
        Path source = randomFiles();
        Path prefix = tmp.resolve("parts/tree").toAbsolutePath();
        Manifest manifest = PackUnpack.pack(source, prefix, "zstd", chunkSize);
        try {
            int total = manifest.totalChunks();
            String sid = startServerAndSession(root, port, chunkSize);
            Path log = root.resolve(".caravan/sessions").resolve(sid).resolve("chunks.log");

            // in order, three in flight, until three chunks are covered; then kill -9
            HttpClient before = client();
            Map<Integer, String> acknowledged = new ConcurrentHashMap<>();
            AtomicInteger next = new AtomicInteger();
            ExecutorService uploaders = Executors.newFixedThreadPool(UPLOADERS);
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < UPLOADERS; t++) {
                workers.add(uploaders.submit(() -> {
                    for (int idx; (idx = next.getAndIncrement()) < total; ) {
                        if (Files.exists(log) && Files.readAllLines(log).size() >= 3) {
                            return null;
                        }
                        try {
                            put(before, port, sid, manifest, prefix, idx);
                        } catch (IOException e) {
                            return null; // the receiver is gone
                        }
                        acknowledged.put(idx, manifest.chunks().get(idx).checksum());
                    }
                    return null;
                }));
            }
            await("three chunks covered").atMost(Duration.ofSeconds(30))
                    .until(() -> Files.exists(log) && Files.readAllLines(log).size() >= 3);
            for (Future<?> worker : workers) {
                worker.get(30, TimeUnit.SECONDS);
            }
            uploaders.shutdown();
            server.destroyForcibly();
            assertThat(server.waitFor(10, TimeUnit.SECONDS)).isTrue();
            Map<Integer, String> covered = new TreeMap<>();
            for (String line : Files.readAllLines(log)) {
                String[] field = line.split(" ");
                assertThat(field[0]).isIn("X", "T");
                covered.put(Integer.parseInt(field[1]), field[2]);
            }
            Map<Integer, String> onDisk = chunksOnDisk(root.resolve(".caravan/sessions").resolve(sid).resolve("chunks"), manifest);
            assertThat(onDisk.keySet()).as("a covered chunk has no file").doesNotContainAnyElementsOf(covered.keySet());
            assertThat(acknowledged).as("covered chunks were acknowledged").containsAllEntriesOf(covered);

            startServer(root, port);
            HttpClient later = client();
            Map<Integer, String> listed = listed(later, port, sid);
            assertThat(listed).as("every acknowledged chunk, covered or stored").containsAllEntriesOf(acknowledged);
            assertThat(listed).isEqualTo(new TreeMap<>(acknowledged));
            await("the extraction resumes from its checkpoint").atMost(Duration.ofSeconds(20))
                    .until(() -> Files.readString(serverLog).contains("extraction resumed from its checkpoint at byte"));
            sendTheRestAndFinish(later, sid, listed, manifest, prefix, source);
        } catch (Throwable failure) {
            printServerLog();
            throw failure;
        }
    }

    /**
     * A chunk acknowledged covered up to a checkpoint inside it, only its tail after that written ({@code T} in
     * {@code chunks.log}), is received after a kill -9 that comes right after its 201: {@code /status} lists
     * exactly the chunks acknowledged, the extraction resumes from that checkpoint, reading the tail, and the
     * parcel publishes exactly the source tree.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aChunkAcknowledgedWithOnlyItsTailWrittenIsReceivedAfterKillNine() throws Exception {
        int chunkSize = 1024 * 1024;
        Path source = randomFiles();
        Path prefix = tmp.resolve("parts/tree").toAbsolutePath();
        Manifest manifest = PackUnpack.pack(source, prefix, "zstd", chunkSize);
        try {
            int total = manifest.totalChunks();
            String sid = startServerAndSession(root, port, chunkSize);
            Path session = root.resolve(".caravan/sessions").resolve(sid);
            Path log = session.resolve("chunks.log");

            // one at a time, in order, until the chunk just acknowledged was kept as a tail; then kill -9
            HttpClient before = client();
            Map<Integer, String> acknowledged = new TreeMap<>();
            String[] tail = null;
            for (int idx = 0; idx < total - 1 && tail == null; idx++) {
                put(before, port, sid, manifest, prefix, idx);
                acknowledged.put(idx, manifest.chunks().get(idx).checksum());
                List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
                String last = lines.isEmpty() ? "" : lines.get(lines.size() - 1);
                if (last.startsWith("T " + idx + " ")) {
                    tail = last.split(" ");
                }
            }
            assertThat(tail).as("a chunk kept as a tail before the last").isNotNull();
            server.destroyForcibly();
            assertThat(server.waitFor(10, TimeUnit.SECONDS)).isTrue();
            int index = Integer.parseInt(tail[1]);
            long checkpointAt = (long) index * chunkSize + Long.parseLong(tail[4]);
            JsonNode recorded = JSON.readTree(Files.readString(root.resolve(".caravan/staging").resolve(sid + ".checkpoint")));
            assertThat(recorded.get("compressed").asLong()).as("the checkpoint inside chunk %d", index).isEqualTo(checkpointAt);
            Map<Integer, String> onDisk = chunksOnDisk(session.resolve("chunks"), manifest);
            assertThat(onDisk).as("chunk %d has no chunk file", index).doesNotContainKey(index);

            startServer(root, port);
            HttpClient later = client();
            Map<Integer, String> listed = listed(later, port, sid);
            assertThat(listed).as("exactly the chunks acknowledged").isEqualTo(acknowledged);
            await("the extraction resumes from the checkpoint inside chunk " + index).atMost(Duration.ofSeconds(20))
                    .until(() -> Files.readString(serverLog).contains("extraction resumed from its checkpoint at byte " + checkpointAt));
            sendTheRestAndFinish(later, sid, listed, manifest, prefix, source);
        } catch (Throwable failure) {
            printServerLog();
            throw failure;
        }
    }

    /** The chunks {@code /status} lists for session {@code sid}, by index. */
    private static Map<Integer, String> listed(HttpClient client, int port, String sid) throws Exception {
        JsonNode state = JSON.readTree(send(client, port, "GET", "/status/" + sid, null).body());
        Map<Integer, String> listed = new TreeMap<>();
        state.get("chunks").fields().forEachRemaining(e -> listed.put(Integer.parseInt(e.getKey()), e.getValue().asText()));
        return listed;
    }

    /** Sends every chunk {@code listed} lacks, finishes, and checks that no extraction started again from chunk 0. */
    private void sendTheRestAndFinish(HttpClient client, String sid, Map<Integer, String> listed, Manifest manifest, Path prefix,
                                      Path source) throws Exception {
        for (int idx = 0; idx < manifest.totalChunks(); idx++) {
            if (!listed.containsKey(idx)) {
                put(client, port, sid, manifest, prefix, idx);
            }
        }
        assertFinishes(client, port, sid, manifest, source, root);
        assertThat(Files.readString(serverLog)).doesNotContain("starts again from chunk 0");
    }

    /** Prints the server's log, for a test that failed. */
    private void printServerLog() throws IOException {
        if (Files.exists(serverLog)) {
            System.err.println("---- caravan serve log ----\n" + Files.readString(serverLog));
        }
    }

    /** Finishes session {@code sid} with {@code manifest}: 200, the stream's SHA-256, the source tree published as 'tree'. */
    private static void assertFinishes(HttpClient client, int port, String sid, Manifest manifest, Path source, Path root)
            throws Exception {
        HttpResponse<String> finish = send(client, port, "POST", "/finish/" + sid,
                manifest.toJson().getBytes(StandardCharsets.UTF_8), "Content-Type", "application/json");
        assertThat(finish.statusCode()).as(finish.body()).isEqualTo(200);
        assertThat(JSON.readTree(finish.body()).get("sha256").asText()).isEqualTo(manifest.sha256());
        assertThat(TreeSnapshot.of(source).differences(TreeSnapshot.of(root.resolve("tree")))).isEmpty();
    }

    private static void put(HttpClient client, int port, String sid, Manifest manifest, Path prefix, int idx)
            throws IOException, InterruptedException {
        HttpResponse<String> put = send(client, port, "PUT", "/upload/" + sid + "/" + idx,
                Files.readAllBytes(PartFiles.part(prefix, idx)),
                "X-Chunk-Sha256", manifest.chunks().get(idx).checksum(), "Content-Type", "application/octet-stream");
        assertThat(put.statusCode()).as("PUT %d: %s", idx, put.body()).isEqualTo(201);
    }

    /** The chunk files of a session by index, each checked: its bytes hash to its name and match the manifest. */
    private static Map<Integer, String> chunksOnDisk(Path chunkDir, Manifest manifest) throws IOException {
        Map<Integer, String> chunks = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(chunkDir)) {
            for (Path file : files) {
                Matcher m = CHUNK_FILE.matcher(file.getFileName().toString());
                if (!m.matches()) {
                    continue; // a temp file of a write the kill interrupted: not a chunk
                }
                int index = Integer.parseInt(m.group(1));
                byte[] bytes = Files.readAllBytes(file);
                MessageDigest digest = Sha256.newDigest();
                digest.update(bytes);
                assertThat(Sha256.hex(digest)).as("content of %s", file.getFileName()).isEqualTo(m.group(2));
                assertThat(m.group(2)).as("hash of chunk %d", index).isEqualTo(manifest.chunks().get(index).checksum());
                assertThat((long) bytes.length).isEqualTo(manifest.chunks().get(index).size());
                assertThat(chunks.put(index, m.group(2))).as("one file for chunk %d", index).isNull();
            }
        }
        return chunks;
    }

    /** 48 files of 200 KB of random bytes in {@code src/tree}: a restart point about every 2 MiB of the stream. */
    private Path randomFiles() throws IOException {
        // packed, they make about 9.6 MB of zstd frames
        Path source = Files.createDirectories(tmp.resolve("src/tree"));
        for (int f = 0; f < 48; f++) {
            TestTrees.random(source.resolve("file-" + f + ".bin"), 200_000, f);
        }
        return source;
    }

    /** Starts {@code caravan serve} and an archive session for the parcel 'tree' in chunks of {@code chunkSize}; its id. */
    private String startServerAndSession(Path root, int port, int chunkSize) throws IOException, InterruptedException {
        startServer(root, port);
        HttpResponse<String> start = send(client(), port, "POST", "/start",
                ("{\"codec\":\"zstd\",\"name\":\"tree\",\"chunk_size\":" + chunkSize + "}").getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/json");
        assertThat(start.statusCode()).as(start.body()).isEqualTo(201);
        return JSON.readTree(start.body()).get("session_id").asText();
    }

    /** Starts {@code caravan serve} and an archive session for the parcel 'tree' in it; its id. */
    private String startServerAndSession(Path root, int port) throws IOException, InterruptedException {
        startServer(root, port);
        HttpResponse<String> start = send(client(), port, "POST", "/start",
                "{\"codec\":\"zstd\",\"name\":\"tree\"}".getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/json");
        assertThat(start.statusCode()).as(start.body()).isEqualTo(201);
        return JSON.readTree(start.body()).get("session_id").asText();
    }

    private void startServer(Path root, int port) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // C1 only and the serial GC: the receiver starts twice, and a small machine starts it faster so.
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"),
                "io.caravan.cli.CaravanCli", "serve", "--host", "127.0.0.1", "--port", String.valueOf(port),
                "--root", root.toString())
                .directory(Path.of(System.getProperty("user.dir")).toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(serverLog.toFile()));
        server = builder.start();
        HttpClient probe = client();
        Process started = server;
        await("caravan serve answers /health").atMost(Duration.ofSeconds(25)).pollInterval(Duration.ofMillis(100))
                .ignoreException(ConnectException.class)
                .ignoreExceptionsInstanceOf(IOException.class)
                .until(() -> {
                    if (!started.isAlive()) {
                        throw new IllegalStateException("caravan serve exited with " + started.exitValue()
                                + ":\n" + Files.readString(serverLog));
                    }
                    return send(probe, port, "GET", "/health", null).statusCode() == 200;
                });
    }

    private static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private static HttpResponse<String> send(HttpClient client, int port, String method, String path, byte[] body,
                                             String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
