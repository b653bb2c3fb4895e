package io.caravan.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.util.Sha256;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A chunk of an archive session that the extraction took from its request body, with a checkpoint past
 * its end, is covered: listed under its index, SHA-256 and size ({@code X} line in {@code chunks.log}),
 * its bytes never written as a chunk file. A chunk covered only up to a checkpoint inside it keeps its
 * tail after that point in a file of its own ({@code T} line). It counts as received after a crash of the
 * process, is dropped after a reboot (the extraction that covers it was never forced), and is never replaced.
 */
class CoveredChunksTest {

    @TempDir
    Path root;

    private static DiskSessionStore store(Path root, Durability.Mode mode, String boot) throws Exception {
        return PositionedChunksTest.store(root, mode, boot);
    }

    private static long chunkFiles(Session session) throws Exception {
        try (var files = Files.list(session.chunkDir())) {
            return files.count();
        }
    }

    /**
     * The extraction covering a chunk it took from one request body while another body of the same index is
     * stored (two uploads of one chunk at once, one of them other content): one of them lists the chunk and the
     * other finds it listed, never both. Both were answered 201 created, the listing named the stored body while
     * the log and the extraction had the other one's bytes, and a finish published a tree the source never held.
     */
    @Test
    void aCoverAndAStoredBodyOfOneIndexAtOnceNeverBothListIt() throws Exception {
        DiskSessionStore store = store(root, Durability.Mode.PUBLISH, "boot-1");
        Session session = store.create("p", "archive", "zstd", null, null);
        byte[] extracted = ChunkFileWriterTest.random(70_000, 1);
        byte[] other = ChunkFileWriterTest.random(70_000, 2);
        String extractedSha = Sha256.of(extracted, 0, extracted.length);
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            for (int index = 0; index < 300; index++) {
                int i = index;
                CyclicBarrier together = new CyclicBarrier(2);
                Future<Boolean> covered = two.submit(() -> {
                    together.await();
                    return store.cover(session, i, extractedSha, extracted.length, extracted.length);
                });
                Future<ChunkWrite.Outcome> stored = two.submit(() -> {
                    together.await();
                    try {
                        return store.write(session, i, ByteBuffer.wrap(other), null).outcome();
                    } catch (RequestRejectedException extractedMeanwhile) {
                        return null;
                    }
                });
                boolean coveredIt = covered.get();
                ChunkWrite.Outcome storedIt = stored.get();
                assertThat(coveredIt && storedIt == ChunkWrite.Outcome.CREATED).as("chunk %d listed by both", i).isFalse();
                assertThat(session.chunk(i).sha256()).as("chunk %d", i)
                        .isEqualTo(coveredIt && storedIt == null ? extractedSha : Sha256.of(other, 0, other.length));
            }
        } finally {
            two.shutdownNow();
            store.close();
        }
    }

    @Test
    void aCoveredChunkIsListedWithoutAFileAndSurvivesARestartOfTheProcess() throws Exception {
        DiskSessionStore store = store(root, Durability.Mode.PUBLISH, "boot-1");
        Session session = store.create("p", "archive", "zstd", null, null);
        byte[] first = ChunkFileWriterTest.random(70_000, 1);
        byte[] second = ChunkFileWriterTest.random(50_000, 2);
        store.write(session, 0, ByteBuffer.wrap(first), null);

        assertThat(store.cover(session, 1, Sha256.of(second, 0, second.length), second.length, second.length)).isTrue();

        assertThat(session.chunk(1).covered()).isTrue();
        assertThat(session.chunks().keySet()).containsExactly(0, 1);
        assertThat(session.bytes()).isEqualTo(120_000);
        assertThat(chunkFiles(session)).as("only chunk 0 has a file").isEqualTo(1);
        assertThatThrownBy(() -> store.open(session, session.chunk(1)))
                .hasMessageContaining("chunk 1").hasMessageContaining("extracted");
        store.close();

        DiskSessionStore restarted = store(root, Durability.Mode.PUBLISH, "boot-1");
        Session recovered = restarted.get(session.id().value());
        assertThat(recovered.chunks().keySet()).containsExactly(0, 1);
        assertThat(recovered.chunk(1).covered()).isTrue();
        assertThat(recovered.chunk(1).sha256()).isEqualTo(Sha256.of(second, 0, second.length));
        assertThat(recovered.chunk(1).size()).isEqualTo(50_000);
        assertThat(recovered.bytes()).isEqualTo(120_000);
        restarted.close();
    }

    /**
     * A covered chunk sent again: identical with its hash; with another, it replaces it as a chunk file, and every
     * covered chunk is dropped first (the extraction that read the old one starts again from chunk 0, which needs
     * their bytes, never kept), also for a store opened again over the folder.
     */
    @Test
    void aCoveredChunkSentAgainIsIdenticalWithItsHashAndWithAnotherReplacesItDroppingTheCoveredOnes() throws Exception {
        DiskSessionStore store = store(root, Durability.Mode.PUBLISH, "boot-1");
        Session session = store.create("p", "archive", "zstd", null, null);
        byte[] body = ChunkFileWriterTest.random(40_000, 3);
        byte[] next = ChunkFileWriterTest.random(40_000, 5);
        store.cover(session, 0, Sha256.of(body, 0, body.length), body.length, body.length);
        store.cover(session, 1, Sha256.of(next, 0, next.length), next.length, next.length);

        ChunkWrite again = store.write(session, 0, ByteBuffer.wrap(body), null);
        assertThat(again.outcome()).isEqualTo(ChunkWrite.Outcome.IDENTICAL);
        assertThat(chunkFiles(session)).isZero();

        byte[] other = ChunkFileWriterTest.random(40_000, 4);
        ChunkWrite replaced = store.write(session, 0, ByteBuffer.wrap(other), null);
        assertThat(replaced.outcome()).isEqualTo(ChunkWrite.Outcome.REPLACED);
        assertThat(session.chunk(0).sha256()).isEqualTo(Sha256.of(other, 0, other.length));
        assertThat(session.chunk(0).covered()).isFalse();
        assertThat(session.chunk(1)).as("the other covered chunk, dropped").isNull();
        assertThat(chunkFiles(session)).isEqualTo(1);
        String id = session.meta().id();
        store.close();

        DiskSessionStore reopened = store(root, Durability.Mode.PUBLISH, "boot-1");
        Session again2 = reopened.get(id);
        assertThat(again2.chunk(0).sha256()).isEqualTo(Sha256.of(other, 0, other.length));
        assertThat(again2.chunk(1)).isNull();
        reopened.close();
    }

    @Test
    void afterARebootCoveredChunksAreDroppedAndChunkFilesKept() throws Exception {
        DiskSessionStore store = store(root, Durability.Mode.PUBLISH, "boot-1");
        Session session = store.create("p", "archive", "zstd", null, null);
        byte[] stored = ChunkFileWriterTest.random(30_000, 5);
        store.write(session, 0, ByteBuffer.wrap(stored), null);
        store.cover(session, 1, Sha256.of(stored, 0, 10), 10, 10);
        assertThat(store.startedAfterReboot()).isFalse();
        store.close();

        DiskSessionStore rebooted = store(root, Durability.Mode.PUBLISH, "boot-2");
        assertThat(rebooted.startedAfterReboot()).isTrue();
        Session recovered = rebooted.get(session.id().value());
        assertThat(recovered.chunks().keySet()).as("the extraction that covered chunk 1 was not forced").containsExactly(0);
        rebooted.close();

        DiskSessionStore sameBoot = store(root, Durability.Mode.PUBLISH, "boot-2");
        assertThat(sameBoot.get(session.id().value()).chunks().keySet()).as("dropped for good").containsExactly(0);
        sameBoot.close();
    }

    @Test
    void uncoveringDropsEveryCoveredChunkForGood() throws Exception {
        DiskSessionStore store = store(root, Durability.Mode.PUBLISH, "boot-1");
        Session session = store.create("p", "archive", "zstd", null, null);
        byte[] stored = ChunkFileWriterTest.random(30_000, 6);
        store.cover(session, 0, Sha256.of(stored, 0, 10), 10, 10);
        store.cover(session, 1, Sha256.of(stored, 0, 20), 20, 20);
        store.write(session, 2, ByteBuffer.wrap(stored), null);

        assertThat(store.uncover(session)).containsExactly(0, 1);

        assertThat(session.chunks().keySet()).containsExactly(2);
        assertThat(session.bytes()).isEqualTo(30_000);
        store.close();
        DiskSessionStore restarted = store(root, Durability.Mode.PUBLISH, "boot-1");
        assertThat(restarted.get(session.id().value()).chunks().keySet()).containsExactly(2);
        restarted.close();
    }

    @Test
    void onlyAnArchiveSessionOfAStoreWithDurabilityPublishCoversChunks() throws Exception {
        DiskSessionStore publish = store(root, Durability.Mode.PUBLISH, "boot-1");
        Session raw = publish.create("p", "raw", null, null, null);
        assertThat(publish.cover(raw, 0, Sha256.of(new byte[1], 0, 1), 1, 1)).isFalse();
        assertThat(raw.chunks()).isEmpty();
        publish.close();

        DiskSessionStore chunk = store(root.resolve("other"), Durability.Mode.CHUNK, "boot-1");
        Session archive = chunk.create("p", "archive", "zstd", null, null);
        assertThat(chunk.coversChunks()).isFalse();
        assertThat(chunk.cover(archive, 0, Sha256.of(new byte[1], 0, 1), 1, 1)).isFalse();
        assertThat(archive.chunks()).isEmpty();
        chunk.close();
    }

    /** Writes the tail of {@code body} from {@code from} as chunk {@code index}'s; the body's SHA-256. */
    private static String tail(DiskSessionStore store, Session session, int index, byte[] body, int from) throws Exception {
        String sha = Sha256.of(body, 0, body.length);
        store.writeTail(session, index, sha, new ByteBuffer[] {ByteBuffer.wrap(body, from, body.length - from)});
        return sha;
    }

    /** What a store started again on {@code root} lists of {@code session}, which has no chunk file left. */
    private void assertNothingKeptAfter(String boot, Session session) throws Exception {
        DiskSessionStore restarted = store(root, Durability.Mode.PUBLISH, boot);
        Session recovered = restarted.get(session.id().value());
        assertThat(recovered.chunks()).as("the sender sends them again").isEmpty();
        assertThat(chunkFiles(recovered)).isZero();
        restarted.close();
    }

    @Test
    void aChunkCoveredUpToAPointKeepsItsTailAndSurvivesARestartOfTheProcess() throws Exception {
        DiskSessionStore store = store(root, Durability.Mode.PUBLISH, "boot-1");
        Session session = store.create("p", "archive", "zstd", null, null);
        byte[] body = ChunkFileWriterTest.random(60_000, 7);
        String sha = tail(store, session, 0, body, 45_000);

        assertThat(store.cover(session, 0, sha, 60_000, 45_000)).isTrue();

        assertThat(session.chunk(0).covered()).isTrue();
        assertThat(session.chunk(0).hasTail()).isTrue();
        assertThat(session.bytes()).isEqualTo(60_000);
        assertThat(Files.readAllLines(session.dir().resolve("chunks.log"))).containsExactly("T 0 " + sha + " 60000 45000");
        try (InputStream tail = store.openTail(session, session.chunk(0))) {
            assertThat(tail.readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(body, 45_000, 60_000));
        }
        assertThatThrownBy(() -> store.open(session, session.chunk(0))).hasMessageContaining("chunk 0");
        assertThat(store.write(session, 0, ByteBuffer.wrap(body), null).outcome()).isEqualTo(ChunkWrite.Outcome.IDENTICAL);
        store.close();

        DiskSessionStore restarted = store(root, Durability.Mode.PUBLISH, "boot-1");
        Session recovered = restarted.get(session.id().value());
        StoredChunk chunk = recovered.chunk(0);
        assertThat(chunk.hasTail()).isTrue();
        assertThat(chunk.coveredTo()).isEqualTo(45_000);
        try (InputStream tail = restarted.openTail(recovered, chunk)) {
            assertThat(tail.readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(body, 45_000, 60_000));
        }
        assertThat(restarted.uncover(recovered)).containsExactly(0);
        assertThat(chunkFiles(recovered)).as("its tail goes with it").isZero();
        restarted.close();
    }

    @Test
    void aTailNoLineNamesIsRemovedAtTheNextStartAndALineWithoutItsTailIsDropped() throws Exception {
        DiskSessionStore store = store(root, Durability.Mode.PUBLISH, "boot-1");
        Session session = store.create("p", "archive", "zstd", null, null);
        byte[] body = ChunkFileWriterTest.random(20_000, 8);
        tail(store, session, 0, body, 10_000); // a crash between a tail's write and the line that lists it
        String sha = tail(store, session, 1, body, 5_000);
        assertThat(store.cover(session, 1, sha, 20_000, 5_000)).isTrue();
        Files.write(session.chunkDir().resolve(String.format("%08d-%s.tail", 1, sha)), new byte[100]); // not whole
        store.close();

        assertNothingKeptAfter("boot-1", session);
    }

    @Test
    void afterARebootChunksCoveredUpToAPointAreDroppedWithTheirTails() throws Exception {
        DiskSessionStore store = store(root, Durability.Mode.PUBLISH, "boot-1");
        Session session = store.create("p", "archive", "zstd", null, null);
        byte[] body = ChunkFileWriterTest.random(20_000, 9);
        String sha = tail(store, session, 0, body, 10_000);
        assertThat(store.cover(session, 0, sha, 20_000, 10_000)).isTrue();
        store.close();

        assertNothingKeptAfter("boot-2", session);
    }
}
