package io.caravan.receiver;

import static io.caravan.receiver.ReceiverCalls.assertPublished;
import static io.caravan.receiver.ReceiverCalls.chunks;
import static io.caravan.receiver.ReceiverCalls.finish;
import static io.caravan.receiver.ReceiverCalls.ints;
import static io.caravan.receiver.ReceiverCalls.ok;
import static io.caravan.receiver.ReceiverCalls.put;
import static io.caravan.receiver.ReceiverCalls.putAll;
import static io.caravan.receiver.ReceiverCalls.range;
import static io.caravan.receiver.ReceiverCalls.sessionDir;
import static io.caravan.receiver.ReceiverCalls.startArchive;
import static io.caravan.receiver.ReceiverCalls.status;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.receiver.ReceiverCalls.Parcel;
import io.caravan.util.Sha256;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Parts of one archive session PUT from 4 threads at once: all stored once, finish publishes an identical tree. */
class ReceiverConcurrentUploadTest {

    private static final int THREADS = 4;

    @TempDir
    static Path tmp;
    @RegisterExtension
    static final RunningReceiver RUNNING = RunningReceiver.at(() -> tmp.resolve("inbox"));
    static ReceiverFixture receiver;
    static Parcel parcel;
    static ExecutorService pool;

    @BeforeAll
    static void startReceiver(ReceiverFixture started) throws Exception {
        receiver = started;
        parcel = ReceiverCalls.fidelityParcel(tmp, "conc");
        assertThat(parcel.count()).isGreaterThanOrEqualTo(THREADS);
        pool = Executors.newFixedThreadPool(THREADS);
    }

    @AfterAll
    static void stopReceiver() throws Exception {
        pool.shutdownNow();
    }

    /** Runs the tasks on the pool, all released at once; returns their results in order. */
    private static <T> List<T> together(List<Callable<T>> tasks) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<T>> futures = new ArrayList<>();
        for (Callable<T> task : tasks) {
            futures.add(pool.submit(() -> {
                go.await();
                return task.call();
            }));
        }
        go.countDown();
        List<T> results = new ArrayList<>();
        for (Future<T> f : futures) {
            results.add(f.get(60, TimeUnit.SECONDS));
        }
        return results;
    }

    @Test
    void fourUploadersSharingThePartsPublishAnIdenticalTree() throws Exception {
        for (int round = 0; round < 3; round++) {
            String name = "together-" + round;
            String sid = startArchive(receiver, name);
            List<Integer> order = range(0, parcel.count());
            Collections.shuffle(order, new Random(round));
            List<Callable<List<Integer>>> uploaders = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                uploaders.add(() -> {
                    List<Integer> statuses = new ArrayList<>();
                    for (int i = thread; i < order.size(); i += THREADS) {
                        int index = order.get(i);
                        HttpResponse<String> r = put(receiver, sid, index, parcel.part(index));
                        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
                        statuses.add(r.statusCode());
                    }
                    return statuses;
                });
            }
            List<List<Integer>> results = together(uploaders);
            assertThat(results.stream().mapToInt(List::size).sum()).isEqualTo(parcel.count());

            JsonNode status = ok(status(receiver, sid), 200);
            assertThat(ints(status.get("received"))).isEqualTo(range(0, parcel.count()));
            for (int i = 0; i < parcel.count(); i++) {
                assertThat(chunks(status)).containsEntry(i, parcel.sha(i));
            }
            assertPublished(receiver, finish(receiver, sid, parcel), parcel, name);
        }
    }

    @Test
    void theSameChunkFromFourThreadsIsStoredOnceAndAnsweredIdenticalToTheOthers() throws Exception {
        String sid = startArchive(receiver, "same-chunk");
        List<Callable<Integer>> uploaders = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            uploaders.add(() -> put(receiver, sid, 0, parcel.part(0)).statusCode());
        }
        List<Integer> codes = together(uploaders);
        assertThat(codes).containsOnly(200, 201);
        assertThat(codes).filteredOn(c -> c == 201).hasSize(1);
        try (var files = Files.list(sessionDir(receiver, sid).resolve("chunks"))) {
            assertThat(files.map(p -> p.getFileName().toString()).toList())
                    .containsExactly(String.format("%08d-%s.chunk", 0, parcel.sha(0)));
        }
        // every uploader sends everything (a retry storm): all 201 or 200, finish still correct
        List<Callable<Integer>> storm = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            storm.add(() -> {
                for (int i = 0; i < parcel.count(); i++) {
                    int code = put(receiver, sid, i, parcel.part(i)).statusCode();
                    assertThat(code).isIn(200, 201);
                }
                return 0;
            });
        }
        together(storm);
        assertPublished(receiver, finish(receiver, sid, parcel), parcel, "same-chunk");
    }

    @Test
    void finishSentFourTimesAtOnceAnswersTheSameEverywhere() throws Exception {
        String sid = startArchive(receiver, "finish-race");
        putAll(receiver, sid, parcel, range(0, parcel.count()));
        List<Callable<HttpResponse<String>>> finishers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            finishers.add(() -> finish(receiver, sid, parcel));
        }
        List<HttpResponse<String>> answers = together(finishers);
        JsonNode first = assertPublished(receiver, answers.get(0), parcel, "finish-race");
        for (HttpResponse<String> answer : answers) {
            assertThat(ok(answer, 200)).isEqualTo(first);
        }
        assertThat(ReceiverCalls.inboxEntries(receiver)).filteredOn(n -> n.startsWith("finish-race")).containsExactly("finish-race");
    }

    @Test
    void rawFinishSentFourTimesAtOnceAnswersTheSameEverywhere() throws Exception {
        String sid = ok(receiver.post("/start", "{\"name\":\"raw-race.bin\"}"), 201).get("session_id").asText();
        for (int i = 0; i < parcel.count(); i++) {
            ok(put(receiver, sid, i, parcel.part(i)), 201);
        }
        List<Callable<HttpResponse<String>>> finishers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            finishers.add(() -> receiver.send("POST", "/finish/" + sid, null));
        }
        List<HttpResponse<String>> answers = together(finishers);
        JsonNode first = ok(answers.get(0), 200);
        for (HttpResponse<String> answer : answers) {
            assertThat(ok(answer, 200)).isEqualTo(first);
        }
        long total = parcel.parts().stream().mapToLong(p -> p.length).sum();
        assertThat(receiver.inbox().resolve("raw-race.bin")).hasSize(total);
        assertThat(first.get("sha256").asText()).isEqualTo(parcel.manifest().sha256());
    }

    @Test
    void differentBodiesForOneIndexFromFourThreadsLeaveOneConsistentChunk() throws Exception {
        String sid = ok(receiver.send("POST", "/start", null), 201).get("session_id").asText();
        List<byte[]> bodies = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            byte[] body = new byte[20_000 + t];
            new Random(t).nextBytes(body);
            bodies.add(body);
        }
        for (int round = 0; round < 5; round++) {
            List<Callable<Integer>> writers = new ArrayList<>();
            for (byte[] body : bodies) {
                writers.add(() -> put(receiver, sid, 0, body).statusCode());
            }
            assertThat(together(writers)).isSubsetOf(200, 201);
        }
        JsonNode status = ok(status(receiver, sid), 200);
        String sha = chunks(status).get(0);
        try (var files = Files.list(sessionDir(receiver, sid).resolve("chunks"))) {
            List<Path> left = files.toList();
            assertThat(left).hasSize(1);
            assertThat(left.get(0).getFileName().toString()).isEqualTo(String.format("%08d-%s.chunk", 0, sha));
            byte[] stored = Files.readAllBytes(left.get(0));
            assertThat(Sha256.of(stored, 0, stored.length)).isEqualTo(sha);
            assertThat(status.get("bytes").asLong()).isEqualTo(stored.length);
        }
    }

    @Test
    void deleteWhileChunksArriveAnswersEveryUploadCleanlyAndLeavesNothing() throws Exception {
        for (int round = 0; round < 5; round++) {
            String sid = startArchive(receiver, "deleted-" + round);
            List<Callable<List<Integer>>> tasks = new ArrayList<>();
            for (int t = 0; t < THREADS - 1; t++) {
                int thread = t;
                tasks.add(() -> {
                    List<Integer> codes = new ArrayList<>();
                    for (int i = thread; i < parcel.count(); i += THREADS - 1) {
                        HttpResponse<String> r = put(receiver, sid, i, parcel.part(i));
                        assertThat(r.statusCode()).as(r.body()).isIn(201, 404);
                        codes.add(r.statusCode());
                    }
                    return codes;
                });
            }
            tasks.add(() -> {
                HttpResponse<String> r = receiver.send("DELETE", "/sessions/" + sid, null);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
                return List.of(r.statusCode());
            });
            together(tasks);
            assertThat(sessionDir(receiver, sid)).doesNotExist();
            assertThat(receiver.inbox().resolve(".caravan/staging").resolve(sid)).doesNotExist();
            ReceiverCalls.error(status(receiver, sid), 404, null);
        }
    }
}
