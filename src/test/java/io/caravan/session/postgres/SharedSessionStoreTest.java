package io.caravan.session.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.session.ChunkWrite;
import io.caravan.session.Durability;
import io.caravan.session.Session;
import io.caravan.session.SessionLimits;
import io.caravan.session.SessionListener;
import io.caravan.session.SessionNotFoundException;
import io.caravan.session.Syncer;
import io.caravan.util.Sha256;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two nodes' stores over one database and one chunk folder: what one commits, the other serves; an index holds one row. */
class SharedSessionStoreTest {

    @TempDir
    Path chunkDir;

    private final String url = TestDatabase.newDatabase();
    private final List<PostgresSessionStore> stores = new ArrayList<>();

    private PostgresSessionStore node() throws Exception {
        PostgresSessionStore store = TestDatabase.node(url, chunkDir);
        stores.add(store);
        return store;
    }

    /**
     * A chunk's row is durable the moment it commits, and every node trusts it: so its bytes are forced
     * (file and name) before the row commits, whatever caravan.receiver.durability says, and a power loss
     * can never leave a row for a torn chunk.
     */
    @Test
    void aChunkIsForcedBeforeItsRowCommitsWhateverTheDurability() throws Exception {
        java.util.concurrent.atomic.AtomicInteger files = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger folders = new java.util.concurrent.atomic.AtomicInteger();
        Syncer counting = new Syncer() {
            @Override
            public void file(Path file, java.nio.channels.FileChannel channel) throws java.io.IOException {
                files.incrementAndGet();
                channel.force(true);
            }

            @Override
            public void folder(Path dir) {
                folders.incrementAndGet();
            }

            @Override
            public void tree(Path root) {
            }

            @Override
            public String bootId() {
                return "test";
            }
        };
        PostgresSessionStore store = new PostgresSessionStore(SessionDatabase.open(url, TestDatabase.USER, "", 4), chunkDir,
                Duration.ofHours(1), new SessionLimits(32L << 20, 10, 1L << 40, 0, true, 0), Clock.systemUTC(),
                new Durability(Durability.Mode.PUBLISH, counting));
        stores.add(store);
        Session session = store.create("forced", "zstd", null, null, null);
        byte[] body = "chunk".getBytes(java.nio.charset.StandardCharsets.UTF_8);

        store.write(session, 0, ByteBuffer.wrap(body), sha(body));

        assertThat(files.get()).as("the chunk file forced").isPositive();
        assertThat(folders.get()).as("its name forced").isPositive();
    }

    @Test
    void finishesAtOnceBeyondThePoolStillHaveConnectionsForTheirWork() throws Exception {
        PostgresSessionStore store = new PostgresSessionStore(SessionDatabase.open(url, TestDatabase.USER, "", 2), chunkDir,
                Duration.ofHours(1), new SessionLimits(32L << 20, 10, 1L << 40, 0, true, 0), Clock.systemUTC(),
                Durability.DEFAULT);
        stores.add(store);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ids.add(store.create("p" + i, "raw", null, null, null).id().value());
        }
        ExecutorService finishing = Executors.newFixedThreadPool(4);
        CyclicBarrier inside = new CyclicBarrier(2);
        try {
            List<Callable<String>> finishes = new ArrayList<>();
            for (String id : ids) {
                // a finish reads its session and records its result while it holds its lock
                finishes.add(() -> store.exclusively(id, names -> {
                    meet(inside); // two finishes holding their locks at once, if the store lets them
                    Session session = store.get(id);
                    store.remove(session, "{}");
                    return id;
                }));
            }
            for (Future<String> finish : finishing.invokeAll(finishes)) {
                assertThat(finish.get()).isIn(ids);
            }
        } finally {
            finishing.shutdownNow();
        }
    }

    /**
     * Two finishes of two sessions on two nodes that publish one name: the second waits for the first's name lock until
     * the first's work ends (so their swaps and catalog records land in one order), and a first that does not go on
     * holds it at most the finish wait: then 503 busy.
     */
    @Test
    void aNameTakenByAFinishOnOneNodeWaitsAFinishOnTheOtherUntilTheFirstEnds() throws Exception {
        PostgresSessionStore a = node();
        PostgresSessionStore b = node().finishWait(Duration.ofSeconds(1));
        String first = a.create("one", "raw", null, null, null).id().value();
        String second = b.create("one", "raw", null, null, null).id().value();
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<String> holder = holdingFinish(pool, a, first, "report", release);
            long started = System.nanoTime();
            assertThatThrownBy(() -> b.exclusively(second, names -> {
                names.take("report");
                return "b";
            })).isInstanceOf(io.caravan.session.RequestRejectedException.class)
                    .hasMessageContaining("'report'").hasMessageContaining("ask again");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(900), Duration.ofSeconds(10));
            String other = b.exclusively(second, names -> {
                names.take("other");
                return "b";
            });
            assertThat(other).as("another name is free").isEqualTo("b");

            Future<String> waiting = pool.submit(() -> b.exclusively(second, names -> {
                names.take("report");
                return "b";
            }));
            Thread.sleep(300);
            assertThat(waiting).as("waits while the first holds the name").isNotDone();
            release.countDown();
            assertThat(holder.get(10, TimeUnit.SECONDS)).isEqualTo("a");
            assertThat(waiting.get(10, TimeUnit.SECONDS)).as("once the first's work ended").isEqualTo("b");
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    /**
     * A finish waiting for a lock (the session's, or a name's) whose client hung up stops waiting at once: nobody
     * reads its answer, and its request thread is wanted for others (a sender asks again on a new connection).
     */
    @Test
    void aFinishWhoseClientHungUpStopsWaitingForTheLock() throws Exception {
        PostgresSessionStore a = node();
        PostgresSessionStore b = node(); // the default finish wait, 30 s
        String id = a.create("held", "raw", null, null, null).id().value();
        String other = b.create("held", "raw", null, null, null).id().value();
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            holdingFinish(pool, a, id, "held", release);
            for (String waiting : List.of(id, other)) { // the session's lock, then the name's
                long hungUpAt = System.nanoTime() + Duration.ofMillis(300).toNanos();
                long started = System.nanoTime();
                assertThatThrownBy(() -> b.exclusively(waiting, () -> System.nanoTime() < hungUpAt, names -> {
                    names.take("held");
                    return "b";
                })).isInstanceOf(io.caravan.session.RequestRejectedException.class).hasMessageContaining("hung up");
                assertThat(Duration.ofNanos(System.nanoTime() - started)).as(waiting).isLessThan(Duration.ofSeconds(5));
            }
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    /**
     * A node whose finish holds a session's lock and does not go on (a long GC pause, a frozen VM, a partition that
     * keeps its database connection) never holds the other node's requests for good: a finish there waits at most
     * the finish wait for the lock, then answers 503 busy (the sender asks again), and so do finishes queued behind
     * it for the pool's share of finishes; the other node goes on serving.
     */
    @Test
    void aFinishWaitingForAnotherNodesLockIsAnsweredBusyAfterTheFinishWait() throws Exception {
        PostgresSessionStore a = node();
        PostgresSessionStore b = node().finishWait(Duration.ofSeconds(1));
        String id = a.create("frozen", "raw", null, null, null).id().value();
        java.util.concurrent.CountDownLatch thaw = new java.util.concurrent.CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            Future<String> frozen = holdingFinish(pool, a, id, null, thaw);
            List<Callable<String>> retries = new ArrayList<>();
            for (int i = 0; i < 3; i++) { // more than the pool's share of finishes at once (2 of 4 connections)
                retries.add(() -> b.exclusively(id, names -> "b"));
            }
            long started = System.nanoTime();
            for (Future<String> retry : pool.invokeAll(retries, 20, java.util.concurrent.TimeUnit.SECONDS)) {
                assertThat(catchThrowable(retry::get)).as("a finish on the other node").isNotNull()
                        .hasCauseInstanceOf(io.caravan.session.RequestRejectedException.class)
                        .hasMessageContaining("is being finished").hasMessageContaining("ask again");
            }
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
            Session other = b.create("other", "raw", null, null, null);
            assertThat(b.get(other.id().value())).as("the other node goes on serving").isNotNull();
            thaw.countDown();
            assertThat(frozen.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("a");
            String free = b.exclusively(id, names -> "b");
            assertThat(free).as("once the lock is free").isEqualTo("b");
        } finally {
            thaw.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void aNodeLetsGoOfASessionAnotherNodeFinishedOnceItIsIdleTellingItsListeners() throws Exception {
        PostgresSessionStore a = new PostgresSessionStore(SessionDatabase.open(url, TestDatabase.USER, "", 4), chunkDir,
                Duration.ofHours(1), new SessionLimits(32L << 20, 10, 1L << 40, 0, true, 0), Clock.systemUTC(),
                Durability.DEFAULT, Duration.ZERO);
        stores.add(a);
        PostgresSessionStore b = node();
        Session listened = a.create("p", "archive", "zstd", null, null);
        Session quiet = a.create("q", "raw", null, null, null);
        List<String> closed = new ArrayList<>();
        listened.addListener(new SessionListener() {
            @Override
            public void chunkStored(Session session, int index, boolean replaced) {
            }

            @Override
            public void closed(Session session) {
                closed.add(session.id().value());
            }
        });
        b.remove(b.get(listened.id().value()), "{}");
        b.remove(b.get(quiet.id().value()), "{}");
        Session other = a.create("r", "raw", null, null, null);
        a.get(other.id().value()); // a request: the node looks at what it holds idle
        assertThat(closed).as("the listener (an extraction) is told its session went away").containsExactly(listened.id().value());
        assertThat(a.sessions()).extracting(s -> s.id().value()).containsExactly(other.id().value());
    }

    /** Waits up to a second for another party at {@code barrier}; goes on alone after that. */
    /**
     * A finish of {@code id} on {@code store} that takes {@code name} (when given) and goes on only once {@code release}
     * opens, answering "a"; returned once it holds its locks.
     */
    private static Future<String> holdingFinish(ExecutorService pool, PostgresSessionStore store, String id, String name,
                                                java.util.concurrent.CountDownLatch release) throws InterruptedException {
        java.util.concurrent.CountDownLatch holding = new java.util.concurrent.CountDownLatch(1);
        Future<String> finish = pool.submit(() -> store.exclusively(id, names -> {
            if (name != null) {
                names.take(name);
            }
            holding.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "a";
        }));
        assertThat(holding.await(10, TimeUnit.SECONDS)).as("the finish holds its locks").isTrue();
        return finish;
    }

    private static void meet(CyclicBarrier barrier) {
        try {
            barrier.await(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (BrokenBarrierException | TimeoutException e) {
            barrier.reset();
        }
    }

    @AfterEach
    void close() {
        stores.forEach(PostgresSessionStore::close);
    }

    static byte[] random(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    private static String sha(byte[] data) {
        return Sha256.of(data, 0, data.length);
    }

    @Test
    void aChunkStoredOnOneNodeIsListedAndServedByTheOther() throws Exception {
        PostgresSessionStore a = node();
        PostgresSessionStore b = node();
        Session onA = a.create("p", "raw", null, null, null);
        byte[] zero = random(40_000, 1);
        byte[] one = random(30_000, 2);
        a.write(onA, 0, ByteBuffer.wrap(zero), sha(zero));
        Session onB = b.get(onA.id().value());
        assertThat(b.write(onB, 1, ByteBuffer.wrap(one), sha(one)).outcome()).isEqualTo(ChunkWrite.Outcome.CREATED);
        assertThat(b.write(onB, 0, ByteBuffer.wrap(zero), sha(zero)).outcome())
                .as("sent again to the other node").isEqualTo(ChunkWrite.Outcome.IDENTICAL);
        Session again = a.get(onA.id().value());
        assertThat(again.chunks().keySet()).containsExactly(0, 1);
        try (InputStream in = a.open(again, again.chunk(1))) {
            assertThat(in.readAllBytes()).isEqualTo(one);
        }
        a.remove(again, "{\"path\":\"p\"}");
        assertThatThrownBy(() -> b.get(onA.id().value())).isInstanceOf(SessionNotFoundException.class);
        assertThat(b.finishedResult(onA.id().value())).contains("{\"path\":\"p\"}");
        assertThat(b.sessions()).isEmpty();
    }

    @Test
    void oneIndexSentToBothNodesAtOnceLeavesOneRowAndOneFile() throws Exception {
        PostgresSessionStore a = node();
        PostgresSessionStore b = node();
        Session onA = a.create("p", "raw", null, null, null);
        Session onB = b.get(onA.id().value());
        List<byte[]> bodies = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            bodies.add(random(100_000 + i, 10 + i));
        }
        ExecutorService senders = Executors.newFixedThreadPool(6);
        try {
            for (int round = 0; round < 4; round++) {
                List<Callable<ChunkWrite>> writes = new ArrayList<>();
                for (int i = 0; i < bodies.size(); i++) {
                    byte[] body = bodies.get(i);
                    PostgresSessionStore node = i % 2 == 0 ? a : b;
                    Session session = i % 2 == 0 ? onA : onB;
                    writes.add(() -> node.write(session, 5, ByteBuffer.wrap(body), sha(body)));
                    writes.add(() -> node.write(session, 6, ByteBuffer.wrap(bodies.get(0)), sha(bodies.get(0))));
                }
                long created = 0;
                for (Future<ChunkWrite> write : senders.invokeAll(writes)) {
                    created += write.get().chunk().index() == 6 && write.get().outcome() == ChunkWrite.Outcome.CREATED ? 1 : 0;
                }
                assertThat(created).as("index 6, the same body from everyone: created once").isLessThanOrEqualTo(1);
                String heldA = a.get(onA.id().value()).chunk(5).sha256();
                String heldB = b.get(onA.id().value()).chunk(5).sha256();
                assertThat(heldA).isEqualTo(heldB);
                try (InputStream in = b.open(onB, onB.chunk(5))) {
                    assertThat(sha(in.readAllBytes())).as("the bytes are the body listed").isEqualTo(heldB);
                }
            }
        } finally {
            senders.shutdownNow();
        }
        try (Connection c = java.sql.DriverManager.getConnection(url, TestDatabase.USER, ""); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM caravan_chunk")) {
            rs.next();
            assertThat(rs.getInt(1)).as("one row per index").isEqualTo(2);
        }
        try (Stream<Path> files = Files.list(chunkDir.resolve("sessions").resolve(onA.id().value()).resolve("chunks"))) {
            assertThat(files.toList()).as("one file per index, no leftovers").hasSize(2);
        }
    }
}
