package io.caravan.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The disk session store holds a bounded number of session folders open, whatever the number of
 * sessions: 300 idle sessions, before and after a restart, do not cost 600 descriptors (which, with
 * {@code ulimit -n 1024}, left no descriptor for a new session). A session whose folders were let go is
 * served as before: they are opened again on demand, without following a link, and only if they are
 * still the session's own folders.
 */
class SessionStoreDescriptorsTest {

    private static final int SESSIONS = 300;
    /** Well under the two descriptors a session that held its folders open cost. */
    private static final int MOST_ADDED = 200;

    @TempDir
    Path tmp;
    private Path root;
    private Path outside;
    private DiskSessionStore store;
    /** The descriptors open before {@link #manySessions} created any session. */
    private long before;

    @BeforeEach
    void folders() throws Exception {
        root = Files.createDirectories(tmp.resolve("inbox/.caravan"));
        outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("victim.txt"), "user data\n");
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    private DiskSessionStore open() throws IOException {
        return new DiskSessionStore(root, Duration.ofHours(1), new SessionLimits(32L << 20, 1000, 1L << 40, 0, true, 0),
                Clock.systemUTC(), new Durability(Durability.Mode.PUBLISH, new CountingSyncer("boot-1")));
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    private static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String read(SessionStore store, Session session, int index) throws IOException {
        try (InputStream in = store.open(session, session.chunk(index))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** A store with {@link #SESSIONS} sessions with a chunk each, half of them raw ones written at their position. */
    private List<String> manySessions() throws IOException {
        store = open();
        before = openDescriptors();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < SESSIONS; i++) {
            Session session = i % 2 == 0 ? store.create("a" + i + ".tar", "archive", "none", null, null)
                    : store.create("r" + i + ".bin", "raw", "none", 16L, null);
            store.write(session, 0, bytes("chunk of " + i), null);
            ids.add(session.meta().id());
        }
        return ids;
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void manyIdleSessionsHoldABoundedNumberOfDescriptorsBeforeAndAfterARestart() throws Exception {
        List<String> ids = manySessions();
        assertThat(openDescriptors() - before).as("descriptors added by %d sessions", SESSIONS).isLessThan(MOST_ADDED);

        store.close();
        long closed = openDescriptors();
        store = open();
        assertThat(store.sessions()).hasSize(SESSIONS);
        assertThat(openDescriptors() - closed).as("descriptors after a restart with %d sessions", SESSIONS)
                .isLessThan(MOST_ADDED);

        for (int i = 0; i < SESSIONS; i++) {
            Session session = store.get(ids.get(i));
            assertThat(read(store, session, 0)).isEqualTo("chunk of " + i);
            store.write(session, 1, bytes("more of " + i), null);
            assertThat(read(store, session, 1)).isEqualTo("more of " + i);
        }
        assertThat(openDescriptors() - closed).as("after every session was used again").isLessThan(MOST_ADDED);
        for (String id : ids) {
            store.remove(store.get(id), null);
        }
        assertThat(root.resolve("sessions")).isEmptyDirectory();
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void sessionsUsedFromManyThreadsAtOnceKeepTheirChunks() throws Exception {
        List<String> ids = manySessions();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int round = 0; round < 3; round++) {
                        for (int i = thread; i < SESSIONS; i += 3) {
                            Session session = store.get(ids.get(i));
                            int index = 1 + thread + 8 * round;
                            store.write(session, index, bytes(i + "/" + index), null);
                            assertThat(read(store, session, index)).isEqualTo(i + "/" + index);
                            assertThat(read(store, session, 0)).isEqualTo("chunk of " + i);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(openDescriptors() - before).isLessThan(MOST_ADDED);
    }

    /** The folders of the first of many sessions are let go; a link planted in its place is refused, never followed. */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aChunkFolderReplacedByALinkWhileLetGoIsRefusedWhenOpenedAgain() throws Exception {
        List<String> ids = manySessions();
        Path chunks = root.resolve("sessions").resolve(ids.get(0)).resolve("chunks");
        Files.move(chunks, chunks.resolveSibling("chunks.moved"));
        Files.createSymbolicLink(chunks, outside);

        Session session = store.get(ids.get(0));
        assertThatThrownBy(() -> store.write(session, 1, bytes("through the link?"), null))
                .hasMessageContaining("symbolic link");
        assertThatThrownBy(() -> read(store, session, 0)).hasMessageContaining("symbolic link");
        try (Stream<Path> listed = Files.list(outside)) {
            assertThat(listed).extracting(p -> p.getFileName().toString()).containsExactly("victim.txt");
        }
        store.remove(session, null);
        assertThat(Files.readString(outside.resolve("victim.txt"))).isEqualTo("user data\n");
        assertThat(root.resolve("sessions").resolve(ids.get(0))).doesNotExist();
    }

    /** A session folder swapped for another real folder while let go is not taken for the session's own. */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aSessionFolderSwappedForAnotherFolderWhileLetGoIsRefused() throws Exception {
        List<String> ids = manySessions();
        Path folder = root.resolve("sessions").resolve(ids.get(0));
        Path other = root.resolve("sessions").resolve(ids.get(1));
        Files.move(folder, tmp.resolve("aside"));
        Files.createDirectories(folder.resolve("chunks"));
        Files.writeString(folder.resolve("chunks").resolve(Path.of(
                store.get(ids.get(0)).chunk(0).file().toString()).getFileName().toString()), "planted");

        Session session = store.get(ids.get(0));
        assertThatThrownBy(() -> read(store, session, 0)).hasMessageContaining("replaced");
        assertThat(read(store, store.get(ids.get(1)), 0)).as("the others are served").isEqualTo("chunk of 1");
        assertThat(other).isDirectory();
    }
}
