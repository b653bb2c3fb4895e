package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.LoggedWarnings;
import io.caravan.receiver.ReceiverCalls.Parcel;
import io.caravan.session.ChunkBody;
import io.caravan.session.CountingSyncer;
import io.caravan.session.Durability;
import io.caravan.util.TreeSnapshot;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.io.file.PathUtils;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A chunk taken from its request body and covered up to a checkpoint inside it is kept in three writes: its
 * tail, the checkpoint, the line that lists it. A crash of the process between the last two leaves a
 * checkpoint inside a chunk the session does not list: the restarted receiver lists only the chunks before
 * it, removes the unlisted tail, and resumes the extraction there once the sender has sent that chunk again,
 * skipping into it; the parcel publishes exactly its source.
 */
class CheckpointBeforeItsChunkIsListedTest {

    @TempDir
    Path tmp;

    @Test
    void anExtractionResumesInsideAChunkSentAgainAfterACrashBeforeItsLine() throws Exception {
        Parcel parcel = ReceiverWritesOnceTest.parcel(tmp, ReceiverWritesOnceTest.CHUNK);
        Path inbox = tmp.resolve("inbox");
        Path staging = inbox.resolve(".caravan/staging");
        Path leftover = tmp.resolve("leftover");
        String sid;
        int kept = -1;
        long checkpointAt;
        try (Receiver receiver = PublishForcesStagingTest.receiver(inbox, Durability.Mode.PUBLISH, new CountingSyncer("boot-1"))) {
            sid = receiver.sessions().start(new StartRequest("once", "zstd", null, (long) ReceiverWritesOnceTest.CHUNK,
                    null, null, false, false)).sessionId();
            Path log = inbox.resolve(".caravan/sessions").resolve(sid).resolve("chunks.log");
            // one at a time, in order, until a chunk is kept as its tail
            for (int index = 0; index < parcel.count() - 1 && kept < 0; index++) {
                upload(receiver, sid, parcel, index);
                List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
                if (!lines.isEmpty() && lines.get(lines.size() - 1).startsWith("T " + index + " ")) {
                    kept = index;
                }
            }
            assertThat(kept).as("a chunk kept as its tail").isPositive();
            List<String> lines = Files.readAllLines(log);
            String[] line = lines.get(lines.size() - 1).split(" ");
            checkpointAt = (long) kept * ReceiverWritesOnceTest.CHUNK + Long.parseLong(line[4]);
            PathUtils.copyDirectory(staging, leftover, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
            // the process dies after the checkpoint, before the line
            Files.writeString(log, "");
        }
        PathUtils.deleteDirectory(staging);
        PathUtils.copyDirectory(leftover, staging, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);

        try (LoggedWarnings logged = new LoggedWarnings(Level.INFO);
             Receiver receiver = PublishForcesStagingTest.receiver(inbox, Durability.Mode.PUBLISH, new CountingSyncer("boot-1"))) {
            SessionStatus.Open status = (SessionStatus.Open) receiver.sessions().status(sid);
            assertThat(status.received()).as("the chunks before the one kept as its tail").isEqualTo(ReceiverCalls.range(0, kept));
            try (var files = Files.list(inbox.resolve(".caravan/sessions").resolve(sid).resolve("chunks"))) {
                assertThat(files.map(Path::toString)).as("the unlisted tail is gone").noneMatch(name -> name.endsWith(".tail"));
            }
            for (int index = kept; index < parcel.count(); index++) {
                upload(receiver, sid, parcel, index);
            }
            Published published = receiver.publishing().finish(new FinishRequest(sid, parcel.manifestJson()));

            assertThat(published.sha256()).isEqualTo(parcel.manifest().sha256());
            assertThat(TreeSnapshot.of(parcel.source()).differences(TreeSnapshot.of(inbox.resolve("once")))).isEmpty();
            assertThat(logged.containing("extraction resumed from its checkpoint at byte " + checkpointAt)).hasSize(1);
            assertThat(logged.containing("starts again from chunk 0")).isEmpty();
        }
    }

    private static void upload(Receiver receiver, String sid, Parcel parcel, int index) throws Exception {
        receiver.sessions().upload(new ChunkUpload(sid, index, ChunkBody.of(ByteBuffer.wrap(parcel.part(index))), parcel.sha(index)));
    }
}
