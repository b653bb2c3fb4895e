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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * never written as chunk files: each is acknowledged once a checkpoint of the extraction lies past its end,
 * and listed as covered ({@code X} in the session's {@code chunks.log}), so {@code /status} lists it. A
 * covered chunk sent again with other content is refused with 409.
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
            long files;
            try (var chunkFiles = Files.list(session.resolve("chunks"))) {
                files = chunkFiles.count();
            }
            assertThat(covered).as("chunks extracted from their bodies").isNotEmpty()
                    .allSatisfy(line -> assertThat(line).matches("X \\d+ [0-9a-f]{64} " + CHUNK));
            assertThat(files + covered.size()).as("each chunk once: a file or a covered line").isEqualTo(parcel.count());
            // how many are covered depends on the timing of the uploads (a loaded machine stores more as files)
            assertThat(files).as("chunk files written").isLessThan(parcel.count());

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

    @Test
    void aCoveredChunkSentAgainIsIdenticalWithItsBodyAndRefusedWithAnother() throws Exception {
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
            JsonNode refused = error(put(receiver, sid, index, other), 409, "chunk_extracted");
            assertThat(refused.get("message").asText()).contains("chunk " + index);

            assertPublished(receiver, finish(receiver, sid, parcel), parcel, "again");
        }
    }
}
