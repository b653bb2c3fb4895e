package io.caravan.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.caravan.SettableClock;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A chunk that a listener will read next is served from its request body in memory, which is then let go. */
class HeldChunkBodyTest {

    @TempDir
    Path root;

    private final AtomicInteger kept = new AtomicInteger();

    private ChunkBody body(byte[] data) {
        return new ChunkBody(ChunkFileWriterTest.pieces(data), () -> {
            kept.incrementAndGet();
            return kept::decrementAndGet;
        });
    }

    private Session session(SessionStore store, Set<Integer> wanted) throws Exception {
        Session session = store.create("p", "archive", "none", 1L << 20, null);
        session.addListener(new SessionListener() {
            @Override
            public void chunkStored(Session s, int index, boolean replaced) {
            }

            @Override
            public boolean wantsBody(Session s, int index) {
                return wanted.contains(index);
            }
        });
        return session;
    }

    @Test
    void wantedBodiesAreReadFromMemoryAndOthersFromDisk() throws Exception {
        SessionStore store = new DiskSessionStore(root, Duration.ofHours(1),
                new SessionLimits(32L << 20, 10, 1L << 40, 0, true, 8L << 20), Clock.systemUTC());
        Set<Integer> wanted = ConcurrentHashMap.newKeySet();
        wanted.add(0);
        wanted.add(2);
        Session session = session(store, wanted);
        for (int round = 0; round < 3; round++) { // replaced every round: the old body is never served
            for (int index = 0; index < 3; index++) {
                byte[] data = ChunkFileWriterTest.random(100_000 + index, index * 10 + round);
                store.write(session, index, body(data), null);
                try (InputStream in = store.open(session, session.chunk(index))) {
                    if (wanted.contains(index)) {
                        assertInstanceOf(HeldBodyInputStream.class, in, "chunk " + index + " comes from memory");
                        assertEquals(1, kept.get(), "the request body is kept while it is read");
                    } else {
                        assertFalse(in instanceof HeldBodyInputStream, "chunk " + index + " comes from its file");
                    }
                    assertArrayEquals(data, in.readAllBytes(), "chunk " + index + " round " + round);
                }
                assertEquals(0, kept.get(), "let go once read");
                assertEquals(0, store.heldBytes());
            }
        }
    }

    @Test
    void theReadAheadBudgetAndRemovalLetBodiesGo() throws Exception {
        SessionStore store = new DiskSessionStore(root, Duration.ofHours(1),
                new SessionLimits(32L << 20, 10, 1L << 40, 0, true, 250_000), Clock.systemUTC());
        Session session = session(store, Set.of(0, 1, 2));
        for (int index = 0; index < 3; index++) {
            store.write(session, index, body(ChunkFileWriterTest.random(100_000, index)), null);
        }
        assertEquals(2, kept.get(), "two bodies fit the 250,000-byte budget, the third is read from disk");
        assertEquals(200_000, store.heldBytes());
        try (InputStream third = store.open(session, session.chunk(2))) {
            assertFalse(third instanceof HeldBodyInputStream);
        }

        store.remove(session, null);

        assertEquals(0, kept.get(), "a removed session lets its kept bodies go");
        assertEquals(0, store.heldBytes());
    }

    @Test
    void bodiesWaitingForAStalledReaderGiveWayAfterTenSeconds() throws Exception {
        SettableClock clock = new SettableClock(Instant.parse("2026-11-22T08:00:00Z"));
        SessionStore store = new DiskSessionStore(root, Duration.ofHours(1),
                new SessionLimits(32L << 20, 10, 1L << 40, 0, true, 150_000), clock);
        Session stalled = session(store, Set.of(1)); // chunk 0 never comes: chunk 1 waits
        Session live = session(store, Set.of(0, 1));
        store.write(stalled, 1, body(ChunkFileWriterTest.random(100_000, 1)), null);

        store.write(live, 0, body(ChunkFileWriterTest.random(100_000, 2)), null);
        assertEquals(1, kept.get(), "within ten seconds the stalled session's body keeps its place");

        clock.advance(Duration.ofSeconds(11));
        store.write(live, 1, body(ChunkFileWriterTest.random(100_000, 3)), null);
        assertEquals(1, kept.get(), "then it gives way");
        try (InputStream in = store.open(live, live.chunk(1))) {
            assertInstanceOf(HeldBodyInputStream.class, in);
        }
        try (InputStream in = store.open(stalled, stalled.chunk(1))) {
            assertFalse(in instanceof HeldBodyInputStream, "read from its file when the reader gets to it");
            assertEquals(100_000, in.readAllBytes().length);
        }
    }

    @Test
    void aBodyThatCannotOutliveItsRequestIsReadFromDisk() throws Exception {
        SessionStore store = new DiskSessionStore(root, Duration.ofHours(1), SessionLimits.DEFAULT, Clock.systemUTC());
        Session session = session(store, Set.of(0));
        byte[] data = ChunkFileWriterTest.random(5000, 9);
        store.write(session, 0, ByteBuffer.wrap(data), null);
        try (InputStream in = store.open(session, session.chunk(0))) {
            assertFalse(in instanceof HeldBodyInputStream);
            assertArrayEquals(data, in.readAllBytes());
        }
    }
}
