package io.caravan.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.LoggedWarnings;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The disk session store's own files ({@code sessions/<id>/...}, {@code finished/<id>.json},
 * {@code expired/<id>}, {@code sessions.boot}) are never reached through a link, waited on when they are
 * a pipe, or read past a bound when they are huge: whatever a local user or a restored backup plants
 * there, nothing outside the state folder is written, deleted or read, a start is not held up, and
 * the session concerned is dropped with a warning naming what was found while the others are served.
 */
class SessionStoreLinksTest {

    @TempDir
    Path tmp;
    private Path root;
    private Path outside;
    private final List<SessionStore> opened = new ArrayList<>();

    @BeforeEach
    void folders() throws Exception {
        root = Files.createDirectories(tmp.resolve("inbox/.caravan"));
        outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("victim.txt"), "user data\n");
        Files.createDirectories(outside.resolve("keep"));
        Files.writeString(outside.resolve("keep/notes.txt"), "more user data\n");
    }

    @AfterEach
    void closeStores() throws Exception {
        for (SessionStore store : opened) {
            close(store);
        }
    }

    private DiskSessionStore store() throws Exception {
        return store(Duration.ofHours(1));
    }

    private DiskSessionStore store(Duration ttl) throws Exception {
        DiskSessionStore store = new DiskSessionStore(root, ttl, new SessionLimits(32L << 20, 10, 1L << 40, 0, true, 0),
                Clock.systemUTC(), new Durability(Durability.Mode.PUBLISH, new CountingSyncer("boot-1")));
        opened.add(store);
        return store;
    }

    private static void close(SessionStore store) throws Exception {
        if (store instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    private Path chunkFolder(Session session) {
        return root.resolve("sessions").resolve(session.meta().id()).resolve("chunks");
    }

    private static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    private static void mkfifo(Path path) throws Exception {
        assertThat(new ProcessBuilder("mkfifo", path.toString()).inheritIO().start().waitFor()).isZero();
    }

    private void outsideUnchanged() throws Exception {
        assertThat(Files.readString(outside.resolve("victim.txt"))).isEqualTo("user data\n");
        assertThat(Files.readString(outside.resolve("keep/notes.txt"))).isEqualTo("more user data\n");
        try (Stream<Path> listed = Files.list(outside)) {
            assertThat(listed.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("victim.txt", "keep");
        }
    }

    /** Two sessions, one of which is then damaged by {@code plant}; the store started again. */
    private interface Plant {
        void into(Path sessionDir) throws Exception;
    }

    private void restartWithOneDamaged(String what, Plant plant) throws Exception {
        restartWithOneDamaged(null, what, plant);
    }

    /** With a {@code chunkSize}, the damaged session is a raw one whose chunks are written at their position. */
    private void restartWithOneDamaged(Long chunkSize, String what, Plant plant) throws Exception {
        DiskSessionStore first = store();
        Session good = first.create("good.bin", "archive", "none", null, null);
        first.write(good, 0, bytes("good"), null);
        Session bad = first.create("bad.bin", chunkSize == null ? "archive" : "raw", "none", chunkSize, null);
        first.write(bad, 0, bytes("bad"), null);
        close(first);
        plant.into(root.resolve("sessions").resolve(bad.meta().id()));

        try (LoggedWarnings warnings = new LoggedWarnings()) {
            DiskSessionStore second = store();
            assertThat(second.sessions()).extracting(s -> s.meta().id()).containsExactly(good.meta().id());
            assertThat(second.get(good.meta().id()).chunks()).hasSize(1);
            assertThat(warnings.containing(bad.meta().id())).anySatisfy(w -> assertThat(w).contains(what));
        }
        outsideUnchanged();
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aMetaFileLinkedToAnEndlessDeviceIsSkippedWithAWarning() throws Exception {
        restartWithOneDamaged("meta.json", dir -> {
            Files.delete(dir.resolve("meta.json"));
            Files.createSymbolicLink(dir.resolve("meta.json"), Path.of("/dev/zero"));
        });
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aHugeMetaFileIsNotReadIntoMemory() throws Exception {
        restartWithOneDamaged("meta.json", dir -> {
            try (RandomAccessFile huge = new RandomAccessFile(dir.resolve("meta.json").toFile(), "rw")) {
                huge.setLength(1L << 30);
            }
        });
    }

    @Test
    @Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aMetaFileThatIsAPipeDoesNotHoldUpTheStart() throws Exception {
        restartWithOneDamaged("meta.json", dir -> {
            Files.delete(dir.resolve("meta.json"));
            mkfifo(dir.resolve("meta.json"));
        });
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aMetaFileLinkedOutsideIsNotTrusted() throws Exception {
        Path forged = outside.resolve("keep/notes.txt");
        restartWithOneDamaged("meta.json", dir -> {
            Files.delete(dir.resolve("meta.json"));
            Files.writeString(forged, "more user data\n"); // what the link points to is left as it is
            Files.createSymbolicLink(dir.resolve("meta.json"), forged);
        });
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aChunkFolderLinkedOutsideIsNeitherListedNorEmptiedAtAStart() throws Exception {
        restartWithOneDamaged("chunks", dir -> {
            Path chunks = dir.resolve("chunks");
            try (Stream<Path> files = Files.list(chunks)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(chunks);
            Files.createSymbolicLink(chunks, outside);
        });
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aDataFileLinkedOutsideIsNeitherListedNorWritten() throws Exception {
        restartWithOneDamaged(1024L, "data", dir -> {
            assertThat(dir.resolve(SessionFolders.DATA)).isRegularFile();
            Files.delete(dir.resolve(SessionFolders.DATA));
            Files.createSymbolicLink(dir.resolve(SessionFolders.DATA), outside.resolve("victim.txt"));
        });
    }

    @Test
    @Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aChunkLogThatIsAPipeDoesNotHoldUpTheStart() throws Exception {
        restartWithOneDamaged(1024L, ChunkLog.NAME, dir -> {
            Files.delete(dir.resolve(ChunkLog.NAME));
            mkfifo(dir.resolve(ChunkLog.NAME));
        });
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aChunkFolderSwappedForALinkWhileRunningIsNeverWrittenOrDeletedThrough() throws Exception {
        DiskSessionStore store = store();
        Session session = store.create("s.bin", "archive", "none", null, null);
        store.write(session, 0, bytes("first"), null);
        Path chunks = chunkFolder(session);
        Files.move(chunks, chunks.resolveSibling("chunks.moved"));
        Files.createSymbolicLink(chunks, outside);

        try {
            store.write(session, 1, bytes("second"), null);
        } catch (java.io.IOException refused) {
            // refusing the upload is fine too; writing through the link is not
        }
        outsideUnchanged();

        store.remove(session, null);
        outsideUnchanged();
        assertThat(root.resolve("sessions").resolve(session.meta().id())).doesNotExist();
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void anExpiredSessionWhoseChunkFolderIsALinkIsRemovedWithoutFollowingIt() throws Exception {
        DiskSessionStore store = store(Duration.ofSeconds(1));
        Session session = store.create("s.bin", "archive", "none", null, null);
        Path chunks = chunkFolder(session);
        Files.delete(chunks);
        Files.createSymbolicLink(chunks, outside);
        Thread.sleep(2100);

        assertThat(store.expire()).containsExactly(session.meta().id());

        outsideUnchanged();
        assertThat(root.resolve("sessions").resolve(session.meta().id())).doesNotExist();
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aFinishedResultLinkedOutsideIsNeitherReadNorOverwritten() throws Exception {
        DiskSessionStore store = store();
        Session session = store.create("s.bin", "archive", "none", null, null);
        String id = session.meta().id();
        Path finished = root.resolve("finished").resolve(id + ".json");
        Files.createSymbolicLink(finished, outside.resolve("victim.txt"));

        assertThat(store.finishedResult(id)).isEmpty();

        store.remove(session, "{\"published\":\"s.bin\"}");
        outsideUnchanged();
        assertThat(Files.isSymbolicLink(finished)).isFalse();
        assertThat(store.finishedResult(id)).contains("{\"published\":\"s.bin\"}");
    }

    @Test
    @Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aTombstoneThatIsAPipeOrALinkIsNotWaitedOnOrReadThrough() throws Exception {
        DiskSessionStore store = store();
        String piped = SessionId.random().value();
        mkfifo(root.resolve("expired").resolve(piped));
        String linked = SessionId.random().value();
        Files.createSymbolicLink(root.resolve("expired").resolve(linked), outside.resolve("victim.txt"));

        for (String id : List.of(piped, linked)) {
            assertThatThrownBy(() -> store.get(id))
                    .isInstanceOfAny(SessionExpiredException.class, SessionNotFoundException.class)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("user data"));
        }
    }

    @Test
    @Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aBootRecordThatIsAPipeDoesNotHoldUpTheStart() throws Exception {
        mkfifo(root.resolve(BootRecord.FILE));

        try (LoggedWarnings warnings = new LoggedWarnings()) {
            DiskSessionStore store = store();
            close(store);
            assertThat(warnings.containing(BootRecord.FILE)).isNotEmpty();
        }
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aBootRecordLinkedOutsideIsReplacedNotFollowed() throws Exception {
        Files.createSymbolicLink(root.resolve(BootRecord.FILE), outside.resolve("victim.txt"));

        close(store());

        outsideUnchanged();
        assertThat(Files.isSymbolicLink(root.resolve(BootRecord.FILE))).isFalse();
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aSessionsFolderThatIsALinkStopsTheStartAndNothingOutsideChanges() throws Exception {
        Files.createSymbolicLink(root.resolve("sessions"), outside);

        assertThatThrownBy(this::store).hasMessageContaining("sessions").hasMessageContaining("symbolic link");

        outsideUnchanged();
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aFinishedOrExpiredFolderThatIsALinkStopsTheStart() throws Exception {
        for (String folder : List.of("expired", "finished")) {
            Files.createSymbolicLink(root.resolve(folder), outside);

            assertThatThrownBy(this::store).hasMessageContaining(folder).hasMessageContaining("symbolic link");

            outsideUnchanged();
            Files.delete(root.resolve(folder));
        }
    }
}
