package io.caravan.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.util.Sha256;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A raw session with a chunk size writes each chunk once, at its position in the session's one data
 * file: no chunk file, no copy at finish. Its chunk log is the commit point, so a restart lists exactly
 * the acknowledged chunks, a chunk written again with another body comes from its own file, and after
 * a reboot a torn region is dropped.
 */
class PositionedChunksTest {

    private static final long CHUNK = 64 * 1024;

    @TempDir
    Path root;

    /** A disk store on {@code root} with small limits, its syncer telling {@code boot} as the machine's boot. */
    static DiskSessionStore store(Path root, Durability.Mode mode, String boot) throws Exception {
        return new DiskSessionStore(root, Duration.ofHours(1), new SessionLimits(32L << 20, 10, 1L << 40, 0, true, 0),
                Clock.systemUTC(), new Durability(mode, new CountingSyncer(boot)));
    }

    private static DiskSessionStore store(Path root) throws Exception {
        return store(root, Durability.Mode.PUBLISH, "boot-1");
    }

    private static String sha(byte[] data) {
        return Sha256.of(data, 0, data.length);
    }

    private static byte[] read(SessionStore store, Session session, int index) throws Exception {
        try (InputStream in = store.open(session, session.chunk(index))) {
            return in.readAllBytes();
        }
    }

    private static byte[][] bodies(int count, int lastSize) {
        byte[][] bodies = new byte[count][];
        for (int i = 0; i < count; i++) {
            bodies[i] = ChunkFileWriterTest.random(i == count - 1 ? lastSize : (int) CHUNK, 100 + i);
        }
        return bodies;
    }

    private static List<String> regularFiles(Path dir) throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).map(f -> dir.relativize(f).toString()).sorted().toList();
        }
    }

    @Test
    void chunksLandAtTheirPositionInOneFileWhateverTheirOrder() throws Exception {
        DiskSessionStore store = store(root);
        Session session = store.create("big.bin", "raw", null, CHUNK, null);
        byte[][] bodies = bodies(3, 10_000);
        for (int index : new int[] {2, 0, 1}) {
            store.write(session, index, ByteBuffer.wrap(bodies[index]), sha(bodies[index]));
        }

        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        for (byte[] body : bodies) {
            whole.writeBytes(body);
        }
        assertThat(session.chunks().values()).allSatisfy(c -> assertThat(c.file()).isEqualTo(session.chunk(0).file()));
        Path data = session.fileOf(session.chunk(0).file());
        assertThat(session.chunk(2).offset()).isEqualTo(2 * CHUNK);
        assertThat(Files.readAllBytes(data)).as("the file is the parcel, byte for byte").isEqualTo(whole.toByteArray());
        assertThat(regularFiles(session.chunkDir())).as("no chunk file was written").isEmpty();
        for (int i = 0; i < 3; i++) {
            assertThat(read(store, session, i)).isEqualTo(bodies[i]);
        }
    }

    @Test
    void aRestartListsTheLoggedChunksAndAReplacedOneComesFromItsOwnFile() throws Exception {
        DiskSessionStore store = store(root);
        Session session = store.create("big.bin", "raw", null, CHUNK, null);
        byte[][] bodies = bodies(2, (int) CHUNK);
        byte[] changed = ChunkFileWriterTest.random((int) CHUNK, 7);
        store.write(session, 0, ByteBuffer.wrap(bodies[0]), null);
        store.write(session, 1, ByteBuffer.wrap(bodies[1]), null);
        assertThat(store.write(session, 1, ByteBuffer.wrap(changed), null).outcome()).isEqualTo(ChunkWrite.Outcome.REPLACED);
        assertThat(read(store, session, 1)).isEqualTo(changed);
        // what a kill -9 in the middle of a write leaves: bytes at a position no log line names
        try (FileChannel data = FileChannel.open(session.fileOf(session.chunk(0).file()), StandardOpenOption.WRITE)) {
            data.write(ByteBuffer.wrap(ChunkFileWriterTest.random(5000, 9)), 4 * CHUNK);
        }
        Files.writeString(session.dir().resolve(ChunkLog.NAME), "4 " + "ab".repeat(32),
                StandardOpenOption.APPEND); // and a log line cut short

        DiskSessionStore restarted = store(root);
        Session again = restarted.get(session.id().value());
        assertThat(again.chunks().keySet()).containsExactly(0, 1);
        assertThat(again.chunk(1).sha256()).isEqualTo(sha(changed));
        assertThat(read(restarted, again, 0)).isEqualTo(bodies[0]);
        assertThat(read(restarted, again, 1)).isEqualTo(changed);
    }

    @Test
    void aLastLogLineCutShortIsNoCommitEvenWhenWhatIsLeftParses() throws Exception {
        DiskSessionStore store = store(root);
        Session session = store.create("big.bin", "raw", null, CHUNK, null);
        byte[][] bodies = bodies(3, (int) CHUNK);
        for (int i = 0; i < 3; i++) {
            store.write(session, i, ByteBuffer.wrap(bodies[i]), null);
        }
        Path log = root.resolve("sessions").resolve(session.id().value()).resolve(ChunkLog.NAME);
        String text = Files.readString(log);
        Files.writeString(log, text.substring(0, text.length() - 2)); // "... 65536\n" cut to "... 6553"

        DiskSessionStore restarted = store(root);
        Session again = restarted.get(session.id().value());
        assertThat(again.chunks().keySet()).containsExactly(0, 1);
        assertThat(read(restarted, again, 1)).isEqualTo(bodies[1]);
    }

    @Test
    void theDataFileOfAllChunksInOrderIsLinkedIntoStaging() throws Exception {
        DiskSessionStore store = store(root);
        Session session = store.create("big.bin", "raw", null, CHUNK, null);
        byte[][] bodies = bodies(2, 100);
        store.write(session, 0, ByteBuffer.wrap(bodies[0]), null);
        store.write(session, 1, ByteBuffer.wrap(bodies[1]), null);
        Path staged = Files.createDirectories(root.resolve("staging")).resolve("big.bin");

        assertThat(store.linkAssembled(session, 2, staged)).isTrue();

        assertThat(Files.size(staged)).isEqualTo(CHUNK + 100);
        assertThat(Files.isSameFile(staged, root.resolve("sessions").resolve(session.id().value()).resolve("data"))).isTrue();
    }

    @Test
    void racingFirstWritesOfOneIndexLeaveOneWholeBody() throws Exception {
        DiskSessionStore store = store(root);
        Session session = store.create("big.bin", "raw", null, CHUNK, null);
        List<byte[]> bodies = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            bodies.add(ChunkFileWriterTest.random((int) CHUNK, 20 + i));
        }
        ExecutorService writers = Executors.newFixedThreadPool(6);
        try {
            List<Callable<ChunkWrite>> writes = new ArrayList<>();
            for (byte[] body : bodies) {
                writes.add(() -> store.write(session, 3, ByteBuffer.wrap(body), sha(body)));
            }
            for (Future<ChunkWrite> write : writers.invokeAll(writes)) {
                write.get();
            }
        } finally {
            writers.shutdown();
        }
        byte[] stored = read(store, session, 3);
        assertThat(sha(stored)).isEqualTo(session.chunk(3).sha256());
        assertThat(bodies).anySatisfy(b -> assertThat(b).isEqualTo(stored));
        Session again = store(root).get(session.id().value());
        assertThat(read(store(root), again, 3)).isEqualTo(stored);
    }

    @Test
    void afterARebootATornRegionIsDroppedAndStaysDropped() throws Exception {
        DiskSessionStore store = store(root, Durability.Mode.PUBLISH, "boot-1");
        Session session = store.create("big.bin", "raw", null, CHUNK, null);
        byte[][] bodies = bodies(3, (int) CHUNK);
        for (int i = 0; i < 3; i++) {
            store.write(session, i, ByteBuffer.wrap(bodies[i]), null);
        }
        try (FileChannel torn = FileChannel.open(session.fileOf(session.chunk(1).file()), StandardOpenOption.WRITE)) {
            torn.write(ByteBuffer.allocate(4096), CHUNK + 8192); // a block the power loss kept from the disk
        }
        String sid = session.id().value();

        assertThat(store(root, Durability.Mode.PUBLISH, "boot-2").get(sid).chunks().keySet()).containsExactly(0, 2);
        assertThat(store(root, Durability.Mode.PUBLISH, "boot-2").get(sid).chunks().keySet())
                .as("a later restart in the same boot does not trust the dropped chunk's log line again")
                .containsExactly(0, 2);
    }

    @Test
    void withChunkDurabilityTheBytesThenTheLogAreForcedBeforeTheWriteReturns() throws Exception {
        CountingSyncer syncer = new CountingSyncer("boot-1");
        DiskSessionStore store = new DiskSessionStore(root, Duration.ofHours(1),
                new SessionLimits(32L << 20, 10, 1L << 40, 0, true, 0), Clock.systemUTC(),
                new Durability(Durability.Mode.CHUNK, syncer));
        Session session = store.create("big.bin", "raw", null, CHUNK, null);
        syncer.clear();

        store.write(session, 0, ByteBuffer.wrap(ChunkFileWriterTest.random((int) CHUNK, 1)), null);

        assertThat(syncer.events()).containsExactly("file " + session.fileOf(session.chunk(0).file()),
                "file " + session.dir().resolve(ChunkLog.NAME));
    }

    @Test
    void aChunkWhosePositionLiesBeyondWhatASessionMayHoldGoesToItsOwnFile() throws Exception {
        DiskSessionStore store = new DiskSessionStore(root, Duration.ofHours(1),
                new SessionLimits(32L << 20, 10, 10 * CHUNK, 0, true, 0), Clock.systemUTC());
        Session session = store.create("big.bin", "raw", null, CHUNK, null);
        byte[] body = ChunkFileWriterTest.random(1000, 4);

        store.write(session, 99_999_999, ByteBuffer.wrap(body), null);

        assertThat(session.fileOf(session.chunk(99_999_999).file()).getParent()).isEqualTo(session.chunkDir());
        assertThat(Files.exists(SessionFolders.dataFile(session))).as("no sparse file of petabytes").isFalse();
        assertThat(read(store, session, 99_999_999)).isEqualTo(body);
    }

    @Test
    void aChunkOfAnotherSizeThanTheSessionsIsStoredInItsOwnFile() throws Exception {
        DiskSessionStore store = store(root);
        Session session = store.create("big.bin", "raw", null, CHUNK, null);
        byte[] odd = "not a chunk of the session's size, but not refused either".getBytes(StandardCharsets.UTF_8);
        byte[] large = ChunkFileWriterTest.random((int) CHUNK + 1, 3);

        store.write(session, 0, ByteBuffer.wrap(large), null);
        store.write(session, 1, ByteBuffer.wrap(odd), null);

        assertThat(session.fileOf(session.chunk(0).file()).getParent()).as("longer than the chunk size").isEqualTo(session.chunkDir());
        assertThat(session.chunk(1).offset()).isEqualTo(CHUNK);
        assertThat(read(store, session, 0)).isEqualTo(large);
        assertThat(read(store, session, 1)).isEqualTo(odd);
    }
}
