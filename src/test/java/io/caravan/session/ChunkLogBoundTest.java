package io.caravan.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store reads each open session's chunk log back at its start. A log of 637,000 lines (a session of one-byte
 * chunks; lines of indices past the session's most chunks are skipped, but a chunk sent again adds a line) filled the heap there, so the receiver ended at every start until someone found and removed the session
 * by hand. A log holding more lines than the session may list (twice its most chunks: replaced chunks add lines)
 * is read no further: the session cannot be loaded, and is removed with a line naming it, as a damaged one is.
 */
class ChunkLogBoundTest {

    @TempDir
    Path root;

    private static DiskSessionStore store(Path root, long maxChunks) throws Exception {
        return new DiskSessionStore(root, Duration.ofHours(1), new SessionLimits(32L << 20, 10, 1L << 40, 0, true, 0, maxChunks),
                Clock.systemUTC());
    }

    @Test
    void aLogLongerThanTheSessionMayListIsNotReadIntoMemory() throws Exception {
        String sid;
        try (DiskSessionStore first = store(root, 1000)) {
            Session session = first.create("tiny", "raw", null, 1L, null, null, false, false, null);
            sid = session.id().value();
            for (int i = 0; i < 50; i++) { // five chunks, each sent ten times: each time a line
                first.write(session, i % 5, ByteBuffer.wrap(new byte[] {(byte) i}), null);
            }
        }
        assertThat(Files.readAllLines(root.resolve("sessions").resolve(sid).resolve(ChunkLog.NAME))).hasSize(50);

        assertThatThrownBy(() -> ChunkLog.read(io.caravan.fs.ConfinedDir.openStateFolder(root.resolve("sessions").resolve(sid)), 10))
                .hasMessageContaining("more than 20");

        try (DiskSessionStore second = store(root, 10)) {
            assertThatThrownBy(() -> second.get(sid)).isInstanceOf(SessionNotFoundException.class);
        }
        assertThat(root.resolve("sessions").resolve(sid)).doesNotExist();

        try (DiskSessionStore third = store(root, 1000)) {
            Session session = third.create("again", "raw", null, 1L, null, null, false, false, null);
            third.write(session, 0, ByteBuffer.wrap(new byte[] {1}), null);
            assertThat(third.get(session.id().value()).chunkCount()).isEqualTo(1);
        }
    }
}
