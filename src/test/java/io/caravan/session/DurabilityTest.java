package io.caravan.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.util.Sha256;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code caravan.receiver.durability}: with {@code chunk} every chunk and its name are forced before the
 * write returns, with {@code publish} none is; and a store started after the machine rebooted re-hashes
 * the chunks that were written unforced, so a chunk torn by the power loss is never reported as stored.
 */
class DurabilityTest {

    @TempDir
    Path root;

    private static DiskSessionStore store(Path root, Durability.Mode mode, CountingSyncer syncer) throws Exception {
        return new DiskSessionStore(root, Duration.ofHours(1), new SessionLimits(32L << 20, 10, 1L << 40, 0, true, 0),
                Clock.systemUTC(), new Durability(mode, syncer));
    }

    /** A new session, whose creation (forced in every mode) is left out of the count. */
    private static Session newSessionUncounted(SessionStore store, CountingSyncer syncer) throws Exception {
        Session session = store.create("p", "raw", null, null, null);
        syncer.clear();
        return session;
    }

    private static byte[] read(SessionStore store, Session session, int index) throws Exception {
        try (InputStream in = store.open(session, session.chunk(index))) {
            return in.readAllBytes();
        }
    }

    @Test
    void thePropertyTakesPublishOrChunkAndNamesBothWhenItIsNeither() {
        assertThat(Durability.parse("publish").mode()).isEqualTo(Durability.Mode.PUBLISH);
        assertThat(Durability.parse(" Chunk ").mode()).isEqualTo(Durability.Mode.CHUNK);
        assertThat(Durability.DEFAULT.mode()).isEqualTo(Durability.Mode.PUBLISH);
        assertThatThrownBy(() -> Durability.parse("fast")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("caravan.receiver.durability").hasMessageContaining("publish")
                .hasMessageContaining("chunk").hasMessageContaining("'fast'");
    }

    @Test
    void withPublishAChunkIsStoredWithoutForcingAnything() throws Exception {
        CountingSyncer syncer = new CountingSyncer("boot-1");
        DiskSessionStore store = store(root, Durability.Mode.PUBLISH, syncer);
        Session session = newSessionUncounted(store, syncer);
        byte[] body = ChunkFileWriterTest.random(70_000, 1);
        byte[] other = ChunkFileWriterTest.random(5_000, 2);

        store.write(session, 0, ByteBuffer.wrap(body), Sha256.of(body, 0, body.length));
        store.write(session, 0, ByteBuffer.wrap(other), null);
        store.write(session, 1, ByteBuffer.wrap(body), null);

        assertThat(syncer.events()).as("nothing forced per chunk").isEmpty();
        assertThat(read(store, session, 0)).isEqualTo(other);
        assertThat(Files.readAllBytes(session.fileOf(session.chunk(1).file()))).isEqualTo(body);
    }

    @Test
    void withChunkEveryChunkAndItsNameAreForcedBeforeTheWriteReturns() throws Exception {
        CountingSyncer syncer = new CountingSyncer("boot-1");
        DiskSessionStore store = store(root, Durability.Mode.CHUNK, syncer);
        Session session = newSessionUncounted(store, syncer);
        byte[] body = ChunkFileWriterTest.random(70_000, 1);

        store.write(session, 0, ByteBuffer.wrap(body), null);

        Path chunks = session.fileOf(session.chunk(0).file()).getParent();
        assertThat(syncer.events()).hasSize(2);
        assertThat(syncer.events().get(0)).as("the body, under its temporary name").startsWith("file " + chunks + "/");
        assertThat(syncer.events().get(1)).as("then the rename").isEqualTo("folder " + chunks);
    }

    @Test
    void afterARebootChunksWrittenWithPublishAreReHashedAndTornOnesDropped() throws Exception {
        DiskSessionStore store = store(root, Durability.Mode.PUBLISH, new CountingSyncer("boot-1"));
        Session session = store.create("p", "raw", null, null, null);
        byte[][] bodies = new byte[3][];
        for (int i = 0; i < 3; i++) {
            bodies[i] = ChunkFileWriterTest.random(100_000, 10 + i);
            store.write(session, i, ByteBuffer.wrap(bodies[i]), null);
        }
        // what a power loss can leave of unforced writes: a block never written, a file cut short
        try (FileChannel torn = FileChannel.open(session.fileOf(session.chunk(1).file()), StandardOpenOption.WRITE)) {
            torn.write(ByteBuffer.allocate(4096), 8192);
        }
        try (FileChannel shortened = FileChannel.open(session.fileOf(session.chunk(2).file()), StandardOpenOption.WRITE)) {
            shortened.truncate(50_000);
        }
        String sid = session.id().value();

        DiskSessionStore sameBoot = store(root, Durability.Mode.PUBLISH, new CountingSyncer("boot-1"));
        assertThat(sameBoot.get(sid).chunks().keySet()).as("a restart of the process trusts the names").containsExactly(0, 1, 2);

        DiskSessionStore rebooted = store(root, Durability.Mode.PUBLISH, new CountingSyncer("boot-2"));
        Session recovered = rebooted.get(sid);
        assertThat(recovered.chunks().keySet()).as("only the chunks whose bytes match their names").containsExactly(0);
        assertThat(read(rebooted, recovered, 0)).isEqualTo(bodies[0]);
        try (var files = Files.list(session.fileOf(session.chunk(0).file()).getParent())) {
            assertThat(files.count()).as("the torn files are deleted").isEqualTo(1);
        }

        DiskSessionStore again = store(root, Durability.Mode.CHUNK, new CountingSyncer("boot-2"));
        assertThat(again.get(sid).chunks().keySet()).containsExactly(0);
    }

    @Test
    void aStoreThatNowForcesEveryChunkFirstForcesTheChunksStoredWithoutIt() throws Exception {
        DiskSessionStore store = store(root, Durability.Mode.PUBLISH, new CountingSyncer("boot-1"));
        Session session = store.create("p", "raw", null, null, null);
        store.write(session, 0, ByteBuffer.wrap(ChunkFileWriterTest.random(10_000, 1)), null);

        CountingSyncer syncer = new CountingSyncer("boot-1");
        store(root, Durability.Mode.CHUNK, syncer);

        assertThat(syncer.events()).anySatisfy(e -> assertThat(e).startsWith("tree " + root.resolve("sessions") + " files="));
    }
}
