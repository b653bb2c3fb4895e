package io.caravan.receiver;

import static io.caravan.receiver.ReceiverCalls.assertPublished;
import static io.caravan.receiver.ReceiverCalls.error;
import static io.caravan.receiver.ReceiverCalls.finish;
import static io.caravan.receiver.ReceiverCalls.ok;
import static io.caravan.receiver.ReceiverCalls.put;
import static io.caravan.receiver.ReceiverCalls.startArchive;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.PackUnpack;
import io.caravan.TestTrees;
import io.caravan.pack.ChunkInfo;
import io.caravan.pack.Manifest;
import io.caravan.pack.PartFiles;
import io.caravan.receiver.ReceiverCalls.Parcel;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An archive session's chunks that arrive in order are extracted straight from their request bodies and
 * never written as chunk files: each is acknowledged once the extraction has taken its bytes, listed as
 * covered ({@code X} in the session's {@code chunks.log}) when a checkpoint lies past its end, or covered
 * up to the last checkpoint inside it with only its tail after that written ({@code T}), so {@code /status}
 * lists it. The acknowledgement never waits for a chunk the sender has not sent. A covered chunk sent
 * again with other content is refused with 409.
 */
class ReceiverWritesOnceTest {

    static final int CHUNK = 1 << 20;

    @TempDir
    Path tmp;

    /** Forty files of 250 KB of random bytes (restart points every 2 MiB of tar), packed with zstd in 1 MiB chunks. */
    private Parcel parcel() throws Exception {
        return parcel(tmp, CHUNK);
    }

    /** The parcel of {@link #parcel()}, made in {@code tmp}, in chunks of {@code chunkSize}. */
    static Parcel parcel(Path tmp, int chunkSize) throws Exception {
        Path source = Files.createDirectories(tmp.resolve("src/tree"));
        for (int f = 0; f < 40; f++) {
            TestTrees.random(source.resolve("file-" + f + ".bin"), 250_000, f);
        }
        Path prefix = tmp.resolve("parts/p");
        Manifest manifest = PackUnpack.pack(source, prefix, "zstd", chunkSize);
        List<byte[]> parts = new ArrayList<>();
        for (ChunkInfo chunk : manifest.chunks()) {
            parts.add(Files.readAllBytes(PartFiles.part(prefix, chunk.index())));
        }
        return new Parcel(source, manifest, parts);
    }

    /** PUTs every part in index order, four in flight as a sender has them, each expected to be 201. */
    private static void sendInOrder(ReceiverFixture receiver, String sid, Parcel parcel) throws Exception {
        ExecutorService uploads = Executors.newFixedThreadPool(4);
        Semaphore inFlight = new Semaphore(4);
        try {
            List<Future<JsonNode>> answers = new ArrayList<>();
            for (int i = 0; i < parcel.count(); i++) {
                int index = i;
                inFlight.acquire();
                answers.add(uploads.submit(() -> {
                    try {
                        return ok(put(receiver, sid, index, parcel.part(index)), 201);
                    } finally {
                        inFlight.release();
                    }
                }));
                Thread.sleep(5); // in order, as a sender's chunks leave
            }
            for (Future<JsonNode> answer : answers) {
                answer.get();
            }
        } finally {
            uploads.shutdownNow();
        }
    }

    /**
     * A chunk past the manifest's count (left from a longer version of the source, or sent by anyone) after chunks
     * extracted from their bodies: the finish reads the stream again from chunk 0, which the covered chunks are not
     * kept for. It answers 409 {@code incomplete} naming them, at once, instead of waiting for them while it holds
     * the session (and one of the receiver's request threads); sent again, they finish the session. A finish that
     * comes before the extraction read that chunk ends the stream at the manifest's count and publishes.
     */
    @Test
    void aChunkPastTheManifestAfterCoveredChunksIsAnsweredIncompleteAtOnceNotAWaitWithoutEnd() throws Exception {
        Parcel parcel = parcel();
        try (ReceiverFixture receiver = new ReceiverFixture(tmp.resolve("inbox"))) {
            String sid = startArchive(receiver, "longer", Map.of("chunk_size", CHUNK));
            sendInOrder(receiver, sid, parcel);
            List<String> covered = lines(ReceiverCalls.sessionDir(receiver, sid).resolve("chunks.log"));
            assertThat(covered).as("chunks extracted from their bodies").isNotEmpty();
            ok(put(receiver, sid, parcel.count(), new byte[100]), 201); // past the end of this version
            Thread.sleep(500); // the extraction reads it meanwhile, as it reads every chunk that follows the last it read

            long started = System.nanoTime();
            HttpResponse<String> first = finish(receiver, sid, parcel);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
            if (first.statusCode() == 200) { // a loaded machine: the finish came before the extraction read it
                assertPublished(receiver, first, parcel, "longer");
                return;
            }
            JsonNode refused = error(first, 409, "incomplete");
            assertThat(refused.get("message").asText()).contains("missing");

            for (int i = 0; i < parcel.count(); i++) {
                if (ReceiverCalls.chunks(ok(ReceiverCalls.status(receiver, sid), 200)).get(i) == null) {
                    ok(put(receiver, sid, i, parcel.part(i)), 201);
                }
            }
            assertPublished(receiver, finish(receiver, sid, parcel), parcel, "longer");
        }
    }

    /**
     * A chunk the extraction read, replaced (other content, then its own again), starts the extraction again
     * from chunk 0, which drops the chunks it had extracted from their bodies. A finish that waits for that run
     * says so: the 409 names the replaced chunk as the reason, not a chunk past the manifest's count that was
     * never sent (the only reason the message gave). Sent again, the chunks it names finish the session.
     */
    @Test
    void aFinishAfterAReplacedChunkNamesTheReplacementAsWhyChunksAreMissing() throws Exception {
        Parcel parcel = parcel();
        try (ReceiverFixture receiver = new ReceiverFixture(tmp.resolve("inbox"))) {
            for (int trial = 0; trial < 4; trial++) {
                String name = "replaced-" + trial;
                String sid = startArchive(receiver, name, Map.of("chunk_size", CHUNK));
                sendInOrder(receiver, sid, parcel);
                ok(put(receiver, sid, 3, new byte[parcel.part(3).length]), 201);
                ok(put(receiver, sid, 3, parcel.part(3)), 201);

                HttpResponse<String> answer = finish(receiver, sid, parcel);
                for (int round = 0; answer.statusCode() == 409 && round < 4; round++) {
                    JsonNode incomplete = error(answer, 409, "incomplete");
                    assertThat(incomplete.get("message").asText()).doesNotContain("past the manifest");
                    if (incomplete.get("message").asText().contains("starts again from chunk 0")) {
                        assertThat(incomplete.get("message").asText()).contains("chunk 3").contains("replaced");
                    }
                    for (JsonNode missing : incomplete.get("missing")) {
                        ok(put(receiver, sid, missing.asInt(), parcel.part(missing.asInt())), 201);
                    }
                    answer = finish(receiver, sid, parcel);
                }
                assertPublished(receiver, answer, parcel, name);
            }
        }
    }

    private static List<String> lines(Path file) throws Exception {
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }

    @Test
    void inOrderChunksAreAcknowledgedWithoutChunkFilesAndStatusListsThemAll() throws Exception {
        Parcel parcel = parcel();
        assertThat(parcel.count()).isGreaterThanOrEqualTo(8);
        try (ReceiverFixture receiver = new ReceiverFixture(tmp.resolve("inbox"))) {
            String sid = startArchive(receiver, "once", Map.of("chunk_size", CHUNK));
            sendInOrder(receiver, sid, parcel);

            Path session = ReceiverCalls.sessionDir(receiver, sid);
            List<String> covered = lines(session.resolve("chunks.log"));
            List<String> names;
            try (var chunkFiles = Files.list(session.resolve("chunks"))) {
                names = chunkFiles.map(file -> file.getFileName().toString()).toList();
            }
            long files = names.size();
            long whole = names.stream().filter(name -> !name.endsWith(".tail")).count();
            assertThat(covered).as("chunks extracted from their bodies").isNotEmpty()
                    .allSatisfy(line -> assertThat(line).matches("(X \\d+ [0-9a-f]{64} " + CHUNK + ")|(T \\d+ [0-9a-f]{64} " + CHUNK + " \\d+)"));
            long tails = covered.stream().filter(line -> line.startsWith("T ")).count();
            assertThat(files + covered.size() - tails).as("each chunk once: a file or a covered line (and its tail)")
                    .isEqualTo(parcel.count());
            // how many are covered depends on the timing of the uploads (a loaded machine stores more as files)
            assertThat(whole).as("whole chunk files written (a tail is only what follows a checkpoint)").isLessThan(parcel.count());

            Map<Integer, String> listed = ReceiverCalls.chunks(ok(ReceiverCalls.status(receiver, sid), 200));
            assertThat(listed).hasSize(parcel.count());
            for (int i = 0; i < parcel.count(); i++) {
                assertThat(listed.get(i)).as("chunk " + i).isEqualTo(parcel.sha(i));
            }

            assertPublished(receiver, finish(receiver, sid, parcel), parcel, "once");
        }
    }

    /**
     * Chunks inside one large file have no restart point: no checkpoint can cover them until the sender sends
     * the chunks after the file, which it holds back while its uploads wait. Once the extraction has read every
     * chunk it was given and waits for the next, the waiting uploads are stored as chunk files at once, not
     * after the whole bounded wait.
     */
    @Test
    void chunksNoCheckpointCanCoverAreStoredOnceTheExtractionWaitsForMore() throws Exception {
        Path source = Files.createDirectories(tmp.resolve("big/tree"));
        TestTrees.random(source.resolve("large.bin"), 16L * CHUNK, 7);
        Path prefix = tmp.resolve("big-parts/p");
        Manifest manifest = PackUnpack.pack(source, prefix, "zstd", CHUNK);
        List<byte[]> parts = new ArrayList<>();
        for (ChunkInfo chunk : manifest.chunks()) {
            parts.add(Files.readAllBytes(PartFiles.part(prefix, chunk.index())));
        }
        Parcel parcel = new Parcel(source, manifest, parts);
        try (ReceiverFixture receiver = new ReceiverFixture(tmp.resolve("inbox"))) {
            String sid = startArchive(receiver, "large", Map.of("chunk_size", CHUNK));
            long started = System.nanoTime();
            sendInOrder(receiver, sid, parcel);
            long millis = (System.nanoTime() - started) / 1_000_000;
            // waiting out the bound, each window of four uploads takes it: 9.9 s here; a loaded machine is given 8 s
            assertThat(millis).as("16 chunks, four in flight, none waiting out its %d ms", ArchiveAssembler.DIRECT_WAIT_MILLIS)
                    .isLessThan(8_000);
            assertPublished(receiver, finish(receiver, sid, parcel), parcel, "large");
        }
    }

    /**
     * A covered chunk sent again is identical with its body; with another (a source changed while a send was
     * paused) it replaces the chunk: the extraction starts again from chunk 0, the covered chunks are missing until
     * the sender sends them again, and the parcel publishes what was sent last.
     */
    @Test
    void aCoveredChunkSentAgainIsIdenticalWithItsBodyAndWithAnotherReplacesIt() throws Exception {
        Parcel parcel = parcel();
        try (ReceiverFixture receiver = new ReceiverFixture(tmp.resolve("inbox"))) {
            String sid = startArchive(receiver, "again", Map.of("chunk_size", CHUNK));
            sendInOrder(receiver, sid, parcel);
            Path log = ReceiverCalls.sessionDir(receiver, sid).resolve("chunks.log");
            int index = Integer.parseInt(lines(log).get(0).split(" ")[1]);

            JsonNode same = ok(put(receiver, sid, index, parcel.part(index)), 200);
            assertThat(same.get("stored").asText()).isEqualTo("identical");
            byte[] other = parcel.part(index).clone();
            other[100] ^= 1;
            JsonNode replaced = ok(put(receiver, sid, index, other), 201);
            assertThat(replaced.get("stored").asText()).isEqualTo("replaced");
            ok(put(receiver, sid, index, parcel.part(index)), 201); // and back

            for (int round = 0; round < 3; round++) {
                Map<Integer, String> held = ReceiverCalls.chunks(ok(ReceiverCalls.status(receiver, sid), 200));
                for (int i = 0; i < parcel.count(); i++) {
                    if (!parcel.sha(i).equals(held.get(i))) {
                        put(receiver, sid, i, parcel.part(i));
                    }
                }
                HttpResponse<String> finished = finish(receiver, sid, parcel);
                if (finished.statusCode() != 409) {
                    assertPublished(receiver, finished, parcel, "again");
                    return;
                }
            }
            throw new AssertionError("not published after three rounds");
        }
    }

    /**
     * 40 files of 250 KB of random bytes in 4 MiB chunks: chunk 0 holds a restart point past 2 MiB, the next one
     * lies in chunk 1. Chunk 0 alone, nothing after it sent, is acknowledged without waiting for chunk 1: covered
     * up to its restart point, only its tail after it written ({@code T} line), no chunk file.
     */
    @Test
    void anInOrderChunkIsAcknowledgedWithoutTheNextAndOnlyItsTailAfterItsLastCheckpointIsWritten() throws Exception {
        int chunk = 4 << 20;
        Parcel parcel = parcel(tmp, chunk);
        assertThat(parcel.count()).isEqualTo(3);
        try (ReceiverFixture receiver = new ReceiverFixture(tmp.resolve("inbox"))) {
            String sid = startArchive(receiver, "tail", Map.of("chunk_size", chunk));

            long started = System.nanoTime();
            ok(put(receiver, sid, 0, parcel.part(0)), 201);
            long millis = (System.nanoTime() - started) / 1_000_000;

            Path session = ReceiverCalls.sessionDir(receiver, sid);
            List<String> log = lines(session.resolve("chunks.log"));
            assertThat(log).as("chunk 0 covered up to its restart point").hasSize(1);
            String[] line = log.get(0).split(" ");
            assertThat(line[0]).isEqualTo("T");
            assertThat(line[1]).isEqualTo("0");
            long coveredTo = Long.parseLong(line[4]);
            assertThat(coveredTo).as("its restart point lies past 2 MiB").isBetween(2L << 20, (long) chunk - 1);
            List<String> names;
            try (var files = Files.list(session.resolve("chunks"))) {
                names = files.map(file -> file.getFileName().toString()).toList();
            }
            assertThat(names).as("only its tail is written").hasSize(1).allSatisfy(name -> assertThat(name).endsWith(".tail"));
            assertThat(Files.size(session.resolve("chunks").resolve(names.get(0)))).isEqualTo(chunk - coveredTo);
            // a loaded machine is given time; the bound for one chunk is ArchiveAssembler.DIRECT_WAIT_MILLIS
            assertThat(millis).as("the 201 waits for no chunk the sender has not sent").isLessThan(2_000);
            assertThat(ReceiverCalls.chunks(ok(ReceiverCalls.status(receiver, sid), 200))).containsOnlyKeys(0);

            ok(put(receiver, sid, 1, parcel.part(1)), 201);
            ok(put(receiver, sid, 2, parcel.part(2)), 201);
            assertPublished(receiver, finish(receiver, sid, parcel), parcel, "tail");
        }
    }
}
