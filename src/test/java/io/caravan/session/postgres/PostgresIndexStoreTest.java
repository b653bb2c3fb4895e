package io.caravan.session.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.caravan.InPlaceChange;
import io.caravan.dedup.ContentIndex;
import io.caravan.dedup.ContentIndex.StoredFile;
import io.caravan.dedup.DedupIndex;
import io.caravan.dedup.IndexStore;
import io.caravan.unpack.ReferenceUnavailableException;
import io.caravan.util.FileIdentity;
import io.caravan.util.Sha256;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link ContentIndex} contract on the content index that receivers sharing a {@link SessionDatabase}
 * share: several indexes on one database and one inbox are nodes of a cluster. What one node records,
 * queues or forgets, every node finds or misses alike; a row recorded on another machine is checked here
 * with the identity that holds across machines (inode, size, mtime, ctime, not the device number); a file
 * whose identity differs is never answered; and a database that is gone costs dedup, never a wrong answer.
 */
class PostgresIndexStoreTest {

    @TempDir
    Path inbox;

    private final String url = TestDatabase.newDatabase();
    private final List<AutoCloseable> opened = new ArrayList<>();
    /** Two nodes of one cluster. */
    private ContentIndex a;
    private ContentIndex b;

    @BeforeEach
    void nodes() {
        a = node("node-a");
        b = node("node-b");
    }

    /** A node of the cluster whose background hashing never runs (only lookups hash what waits). */
    private ContentIndex node(String name) {
        SessionDatabase db = SessionDatabase.open(url, TestDatabase.USER, "", 4);
        DedupIndex index = new DedupIndex(inbox, new PostgresIndexStore(db, name, inbox), () -> false, null);
        opened.add(db);
        opened.add(0, index);
        return index;
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : opened) {
            c.close();
        }
    }

    private Path published(String name, int size) throws Exception {
        byte[] data = new byte[size];
        new Random(name.hashCode()).nextBytes(data);
        Path file = inbox.resolve(name);
        Files.createDirectories(file.getParent());
        return Files.write(file, data);
    }

    private static String sha(Path file) throws Exception {
        byte[] data = Files.readAllBytes(file);
        return Sha256.of(data, 0, data.length);
    }

    private long count(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, TestDatabase.USER, ""); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private int update(String sql, Object... args) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, TestDatabase.USER, ""); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                s.setObject(i + 1, args[i]);
            }
            return s.executeUpdate();
        }
    }

    @Test
    void aFileRecordedOnOneNodeIsFoundOnAnotherAndForgetOnEitherHidesItEverywhere() throws Exception {
        Map<String, String> shas = new LinkedHashMap<>();
        List<Map.Entry<Path, String>> recorded = new ArrayList<>();
        for (String name : List.of("x/a.bin", "x/sub/b.bin", "x/c.bin", "xy.bin", "y/x/d.bin")) {
            Path file = published(name, 100_000);
            shas.put(name, sha(file));
            if (name.equals("x/c.bin")) {
                a.recordLater(List.of(file)); // still waiting to be hashed when it is forgotten
            } else {
                recorded.add(Map.entry(file, sha(file)));
            }
        }
        a.record(recorded);
        assertThat(b.find(shas.get("x/a.bin"))).get().extracting(StoredFile::path).isEqualTo("x/a.bin");
        assertThat(b.find(shas.get("x/sub/b.bin"))).isPresent();

        b.forget(inbox.resolve("x"));

        for (String name : shas.keySet()) {
            assertThat(a.find(shas.get(name)).isPresent()).as("%s found after x was forgotten", name)
                    .isEqualTo(!name.startsWith("x/"));
        }
        a.forget(inbox.resolve("xy.bin"));
        assertThat(b.find(shas.get("xy.bin"))).isEmpty();
        assertThat(b.find(shas.get("y/x/d.bin"))).isPresent();
    }

    @Test
    void aFileQueuedOnOneNodeIsHashedBeforeALookupOnAnotherMisses() throws Exception {
        Path file = published("archive/big.bin", 300_000);
        a.recordLater(List.of(file));
        assertThat(count("SELECT count(*) FROM caravan_content_queue")).isEqualTo(1);

        assertThat(b.find(sha(file))).get().extracting(StoredFile::size).isEqualTo(300_000L);
        assertThat(count("SELECT count(*) FROM caravan_content_queue")).isZero();
        assertThat(a.find(sha(file))).as("hashed once, for every node").isPresent();
    }

    @Test
    void aLookupWaitsForAFileAnotherNodeIsHashingRatherThanMiss() throws Exception {
        Path file = published("big.bin", 300_000);
        String sha = sha(file);
        // node a, in the middle of hashing the file it queued, finishes it
        assertThat(lookupWhileAnotherNodeHashes(file, waiting -> IndexStore.Hashed.as(
                new StoredFile(sha, waiting.path(), waiting.identity(), System.currentTimeMillis())))).isPresent();
        assertThat(count("SELECT count(*) FROM caravan_content WHERE node = 'node-a'")).as("hashed once, by node a").isOne();
    }

    @Test
    void aLookupHashesAFileItselfWhenTheNodeHashingItGivesUp() throws Exception {
        Path file = published("big.bin", 300_000);
        assertThat(lookupWhileAnotherNodeHashes(file, waiting -> IndexStore.Hashed.GAVE_UP)).isPresent();
        assertThat(count("SELECT count(*) FROM caravan_content WHERE node = 'node-b'")).isOne();
    }

    @Test
    void aPublishOverAFileAnotherNodeIsHashingNeitherWaitsForTheHashNorGetsTheOldFileIndexed() throws Exception {
        Path file = published("big.bin", 300_000);
        String sha = sha(file);
        SlowHash nodeA = new SlowHash(file, waiting -> IndexStore.Hashed.as(
                new StoredFile(sha, waiting.path(), waiting.identity(), System.currentTimeMillis())));

        CompletableFuture.runAsync(() -> b.forget(file)).get(5, TimeUnit.SECONDS);
        assertThat(nodeA.finish()).isTrue();

        assertThat(b.find(sha)).isEmpty();
        assertThat(count("SELECT count(*) FROM caravan_content")).isZero();
    }

    /** Node a queues {@code file} and holds it while it hashes; node b looks it up meanwhile; then a ends as {@code outcome}. */
    private Optional<StoredFile> lookupWhileAnotherNodeHashes(Path file, IndexStore.Hasher outcome) throws Exception {
        SlowHash nodeA = new SlowHash(file, outcome);
        String sha = sha(file);
        CompletableFuture<Optional<StoredFile>> lookup = CompletableFuture.supplyAsync(() -> b.find(sha));
        Thread.sleep(500);
        assertThat(lookup).as("answered while another node was still hashing").isNotDone();
        nodeA.finish();
        return lookup.get(20, TimeUnit.SECONDS);
    }

    /** Node a, its own store on the database: queues a file and takes it to hash, and hashes it as {@code outcome} on {@link #finish}. */
    private final class SlowHash {

        private final CountDownLatch finish = new CountDownLatch(1);
        private final CompletableFuture<Boolean> hashed;

        SlowHash(Path file, IndexStore.Hasher outcome) throws Exception {
            SessionDatabase db = SessionDatabase.open(url, TestDatabase.USER, "", 2);
            opened.add(db);
            IndexStore a = new PostgresIndexStore(db, "node-a", inbox);
            a.queued(List.of(new StoredFile(null, inbox.relativize(file).toString(),
                    FileIdentity.ofRegularFile(file).orElseThrow(), System.currentTimeMillis())));
            CountDownLatch hashing = new CountDownLatch(1);
            hashed = CompletableFuture.supplyAsync(() -> a.hashNext(waiting -> {
                hashing.countDown();
                try {
                    finish.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return outcome.hash(waiting);
            }));
            assertThat(hashing.await(10, TimeUnit.SECONDS)).as("node a took the file").isTrue();
        }

        /** Whether node a took the file off the queue (it did not when it gave up). */
        boolean finish() throws Exception {
            finish.countDown();
            return hashed.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void recordedQueuedAndForgottenFilesSurviveARestartOfEveryNode() throws Exception {
        Path kept = published("kept.bin", 100_000);
        Path queued = published("queued.bin", 100_000);
        Path gone = published("gone.bin", 100_000);
        a.record(List.of(Map.entry(kept, sha(kept)), Map.entry(gone, sha(gone))));
        a.recordLater(List.of(queued));
        a.forget(gone);
        close();
        opened.clear();

        ContentIndex restarted = node("node-a");
        assertThat(count("SELECT count(*) FROM caravan_content_queue")).isEqualTo(1);
        assertThat(restarted.find(sha(kept))).isPresent();
        assertThat(restarted.find(sha(queued))).isPresent();
        assertThat(restarted.find(sha(gone))).isEmpty();
    }

    @Test
    void aFileChangedInPlaceIsNeverAnsweredOnAnyNode() throws Exception {
        Path file = published("a.bin", 200_000);
        String original = sha(file);
        a.record(List.of(Map.entry(file, original)));
        assertThat(b.find(original)).isPresent();

        InPlaceChange.flipFirstByteKeepingSizeAndMtime(file);

        assertThat(b.find(original)).as("found after an in-place change that kept size and mtime").isEmpty();
        assertThat(a.find(original)).isEmpty();
        assertThat(count("SELECT count(*) FROM caravan_content")).as("the changed file's row was dropped").isZero();
    }

    @Test
    void aReferenceIsMaterialisedOnAnotherNodeOnlyFromBytesThatStillHashToIt() throws Exception {
        Path file = published("a.bin", 150_000);
        String sha = sha(file);
        a.record(List.of(Map.entry(file, sha)));
        Path staging = Files.createDirectories(inbox.resolve("staging"));

        assertThat(b.materialise(sha, 150_000, staging.resolve("linked.bin"), stored -> true)).isTrue();
        assertThat(Files.isSameFile(staging.resolve("linked.bin"), file)).isTrue();
        assertThat(b.materialise(sha, 150_000, staging.resolve("copied.bin"), stored -> false)).isFalse();
        assertThat(staging.resolve("copied.bin")).hasSameBinaryContentAs(file);
        assertThat(a.find(sha)).as("the link changed the stored file's ctime, not its content").isPresent();

        String claimed = "ab".repeat(32); // what a row written while the file changed would hold
        a.record(List.of(Map.entry(file, claimed)));
        assertThatThrownBy(() -> b.materialise(claimed, 150_000, staging.resolve("wrong.bin"), stored -> false))
                .isInstanceOf(ReferenceUnavailableException.class);
        assertThat(staging.resolve("wrong.bin")).doesNotExist();
        assertThat(a.find(claimed)).isEmpty();
    }

    @Test
    void aRowFromAnotherMachineIsCheckedWithoutItsDeviceButWithInodeSizeMtimeAndCtime() throws Exception {
                Path file = published("shared.bin", 120_000);
        String sha = sha(file);
        Path otherFile = published("other.bin", 120_000);
        String otherSha = sha(otherFile);
        a.record(List.of(Map.entry(file, sha), Map.entry(otherFile, otherSha)));
        // as another machine on the same NFS inbox records them: its own device number for the same files
        update("UPDATE caravan_content SET node = 'node-elsewhere', dev = dev + 7");
        update("UPDATE caravan_content SET ino = ino + 1 WHERE path = 'other.bin'");

        assertThat(a.find(sha)).as("same inode, size, mtime and ctime on another machine").isPresent();
        Path staging = Files.createDirectories(inbox.resolve("staging"));
        a.materialise(sha, 120_000, staging.resolve("copy.bin"), stored -> false);
        assertThat(staging.resolve("copy.bin")).hasSameBinaryContentAs(file);
        assertThat(a.find(otherSha)).as("another inode is another file").isEmpty();

        update("UPDATE caravan_content SET node = 'node-elsewhere', dev = dev + 7, ctime_ns = ctime_ns - 1000000000");
        assertThat(a.find(sha)).as("a ctime that moved is settled by hashing again").isPresent();
        update("UPDATE caravan_content SET node = 'node-elsewhere', dev = dev + 7, mtime_ns = mtime_ns - 1000000000");
        assertThat(a.find(sha)).as("another mtime").isEmpty();
    }

    @Test
    void aQueuedFileFromAnotherMachineIsHashedHereWhenItsIdentityHolds() throws Exception {
        Path file = published("queued.bin", 120_000);
        Path changed = published("changed.bin", 120_000);
        String changedSha = sha(changed);
        a.recordLater(List.of(file, changed));
        update("UPDATE caravan_content_queue SET node = 'node-elsewhere', dev = dev + 7");
        InPlaceChange.flipFirstByteKeepingSizeAndMtime(changed);

        assertThat(b.find(sha(file))).isPresent();
        assertThat(b.find(changedSha)).isEmpty();
        assertThat(b.find(sha(changed))).as("not published so").isEmpty();
        assertThat(count("SELECT count(*) FROM caravan_content_queue")).isZero();
    }

    @Test
    void whileTheDatabaseIsDownLookupsMissWithoutWaitingEachAndHitAgainOnceItIsBack() throws Exception {
        Path pgdata = inbox.resolveSibling(inbox.getFileName() + "-pgdata");
        int port = io.caravan.receiver.ReceiverFixture.freePort();
        EmbeddedPostgres server = EmbeddedPostgres.builder().setDataDirectory(pgdata).setCleanDataDirectory(false)
                .setPort(port).start();
        SessionDatabase db = SessionDatabase.open(server.getJdbcUrl(TestDatabase.USER, "postgres"), TestDatabase.USER, "", 2);
        opened.add(db);
        Path file = published("a.bin", 100_000);
        String sha = sha(file);
        try (DedupIndex index = new DedupIndex(inbox, new PostgresIndexStore(db, "node-a", inbox), () -> false, null)) {
            index.record(List.of(Map.entry(file, sha)));
            server.close();

            long start = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                assertThat(index.find(sha)).isEmpty();
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("20 lookups while the database is down")
                    .isLessThan(Duration.ofSeconds(10));

            server = EmbeddedPostgres.builder().setDataDirectory(pgdata).setCleanDataDirectory(false).setPort(port).start();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .until(() -> index.find(sha).isPresent());
        } finally {
            server.close();
        }
    }

    @Test
    void withTheDatabaseGoneLookupsMissAndRecordingDoesNotFail() throws Exception {
        SessionDatabase db = SessionDatabase.open(url, TestDatabase.USER, "", 2);
        Path file = published("a.bin", 100_000);
        try (DedupIndex index = new DedupIndex(inbox, new PostgresIndexStore(db, "node-a", inbox), () -> false, null)) {
            index.record(List.of(Map.entry(file, sha(file))));
            db.close();

            assertThat(index.find(sha(file))).isEmpty();
            index.record(List.of(Map.entry(file, sha(file))));
            index.recordLater(List.of(file));
            index.forget(file);
            Path target = inbox.resolve("copy.bin");
            assertThatThrownBy(() -> index.materialise(sha(file), 100_000, target, stored -> true))
                    .isInstanceOf(ReferenceUnavailableException.class);
            assertThat(target).doesNotExist();
        }
        assertThat(node("node-a").find(sha(file))).as("recorded before the database went").isPresent();
    }
}
