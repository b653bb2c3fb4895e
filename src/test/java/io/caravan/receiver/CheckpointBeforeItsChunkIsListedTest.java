package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.LoggedWarnings;
import io.caravan.pack.ChunkInfo;
import io.caravan.pack.Manifest;
import io.caravan.pack.PartFiles;
import io.caravan.receiver.ReceiverCalls.Parcel;
import io.caravan.session.ChunkBody;
import io.caravan.session.CountingSyncer;
import io.caravan.session.Durability;
import io.caravan.session.RequestRejectedException;
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
 * it and removes the unlisted tail. What the sender sends again for that chunk may differ from what the
 * extraction read before the checkpoint (a source changed meanwhile), so the extraction does not skip into it:
 * it starts again from chunk 0; the parcel publishes exactly its source, the changed one too.
 */
class CheckpointBeforeItsChunkIsListedTest {

    @TempDir
    Path tmp;

    @Test
    void anExtractionStartsAgainFromChunkZeroAfterACrashBeforeTheLineOfTheChunkItsCheckpointLiesIn() throws Exception {
        Parcel parcel = ReceiverWritesOnceTest.parcel(tmp, ReceiverWritesOnceTest.CHUNK);
        Path inbox = tmp.resolve("inbox");
        Path staging = inbox.resolve(".caravan/staging");
        Path leftover = tmp.resolve("leftover");
        String sid;
        int kept;
        long checkpointAt;
        try (Receiver receiver = PublishForcesStagingTest.receiver(inbox, Durability.Mode.PUBLISH, new CountingSyncer("boot-1"))) {
            sid = receiver.sessions().start(new StartRequest("once", "zstd", null, (long) ReceiverWritesOnceTest.CHUNK,
                    null, null, false, false)).sessionId();
            Path log = inbox.resolve(".caravan/sessions").resolve(sid).resolve("chunks.log");
            kept = uploadUntilATail(receiver, sid, parcel, log);
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
            assertThat(logged.containing("extraction resumed from its checkpoint at byte " + checkpointAt)).isEmpty();
        }
    }

    /**
     * The same crash, and then the source changed in the part of that chunk before the checkpoint (a file overwritten
     * in place): the chunk sent again holds other bytes there. Skipping into it would publish the file's old content
     * under the new manifest's digest; the extraction instead starts again from chunk 0 and publishes the new source.
     */
    @Test
    void aChunkThatChangedBeforeTheCheckpointInsideItIsReadWholeAfterTheCrash() throws Exception {
        Parcel parcel = ReceiverWritesOnceTest.parcel(tmp, ReceiverWritesOnceTest.CHUNK);
        Path inbox = tmp.resolve("inbox");
        String sid;
        int kept;
        long inside;
        try (Receiver receiver = PublishForcesStagingTest.receiver(inbox, Durability.Mode.PUBLISH, new CountingSyncer("boot-1"))) {
            sid = receiver.sessions().start(new StartRequest("once", "zstd", null, (long) ReceiverWritesOnceTest.CHUNK,
                    null, null, false, false)).sessionId();
            Path log = inbox.resolve(".caravan/sessions").resolve(sid).resolve("chunks.log");
            kept = uploadUntilATail(receiver, sid, parcel, log);
            List<String> lines = Files.readAllLines(log);
            inside = Long.parseLong(lines.get(lines.size() - 1).split(" ")[4]);
            PathUtils.copyDirectory(inbox.resolve(".caravan/staging"), tmp.resolve("leftover"),
                    java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
            // the process dies after the checkpoint, before the line
            Files.write(log, lines.subList(0, lines.size() - 1));
        }
        PathUtils.deleteDirectory(inbox.resolve(".caravan/staging"));
        PathUtils.copyDirectory(tmp.resolve("leftover"), inbox.resolve(".caravan/staging"), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        Parcel changed = changedBefore(parcel, kept, inside);

        try (Receiver receiver = PublishForcesStagingTest.receiver(inbox, Durability.Mode.PUBLISH, new CountingSyncer("boot-1"))) {
            Published published = null;
            for (int round = 0; round < 3 && published == null; round++) {
                SessionStatus.Open status = (SessionStatus.Open) receiver.sessions().status(sid);
                for (int index = 0; index < changed.count(); index++) {
                    if (!status.received().contains(index)) {
                        upload(receiver, sid, changed, index); // what the sender sends: what the receiver lacks
                    }
                }
                try {
                    published = receiver.publishing().finish(new FinishRequest(sid, changed.manifestJson()));
                } catch (RequestRejectedException incomplete) {
                    assertThat(incomplete.code()).isEqualTo("incomplete");
                }
            }

            assertThat(published).as("published").isNotNull();
            assertThat(TreeSnapshot.of(changed.source()).differences(TreeSnapshot.of(inbox.resolve("once")))).isEmpty();
        }
    }

    /**
     * The parcel of a copy of {@code parcel}'s source with one byte of one file overwritten in place: a byte that
     * lies in chunk {@code index} before its byte {@code within} (random bytes: zstd keeps them as they are, so the
     * part's bytes are the file's), so that the chunks before {@code index} stay the same.
     */
    private Parcel changedBefore(Parcel parcel, int index, long within) throws Exception {
        byte[] part = parcel.part(index);
        for (int at = (int) within / 2; at > 64; at -= 4099) {
            byte[] probe = java.util.Arrays.copyOfRange(part, at, at + 32);
            for (int f = 0; f < 40; f++) {
                byte[] bytes = Files.readAllBytes(parcel.source().resolve("file-" + f + ".bin"));
                int found = indexOf(bytes, probe);
                if (found < 0) {
                    continue;
                }
                Path copy = Files.createDirectories(tmp.resolve("changed-" + at)).resolve("tree");
                PathUtils.copyDirectory(parcel.source(), copy, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                Path changed = copy.resolve("file-" + f + ".bin");
                java.nio.file.attribute.FileTime modified = Files.getLastModifiedTime(changed);
                bytes[found] ^= 0x5a;
                Files.write(changed, bytes);
                Files.setLastModifiedTime(changed, modified); // overwritten in place, its time kept: only its bytes differ
                Files.setLastModifiedTime(copy, Files.getLastModifiedTime(parcel.source()));
                Path prefix = tmp.resolve("changed-" + at + "-parts/p");
                Manifest manifest = io.caravan.PackUnpack.pack(copy, prefix, "zstd", ReceiverWritesOnceTest.CHUNK);
                List<byte[]> parts = new java.util.ArrayList<>();
                for (ChunkInfo chunk : manifest.chunks()) {
                    parts.add(Files.readAllBytes(PartFiles.part(prefix, chunk.index())));
                }
                int first = 0;
                while (first < parts.size() && java.util.Arrays.equals(parts.get(first), parcel.part(first))) {
                    first++;
                }
                if (first == index && java.util.Arrays.mismatch(parts.get(index), part) < within) {
                    return new Parcel(copy, manifest, parts);
                }
                break;
            }
        }
        throw new AssertionError("no byte of a file found in chunk " + index + " before its byte " + within);
    }

    private static int indexOf(byte[] bytes, byte[] probe) {
        outer:
        for (int i = 0; i + probe.length <= bytes.length; i++) {
            for (int j = 0; j < probe.length; j++) {
                if (bytes[i + j] != probe[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Uploads the parcel's chunks one at a time, in order, until one is kept as its tail; answers its index. */
    private static int uploadUntilATail(Receiver receiver, String sid, Parcel parcel, Path log) throws Exception {
        for (int index = 0; index < parcel.count() - 1; index++) {
            upload(receiver, sid, parcel, index);
            List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
            if (!lines.isEmpty() && lines.get(lines.size() - 1).startsWith("T " + index + " ")) {
                assertThat(index).as("a chunk kept as its tail").isPositive();
                return index;
            }
        }
        throw new AssertionError("no chunk was kept as its tail");
    }

    private static void upload(Receiver receiver, String sid, Parcel parcel, int index) throws Exception {
        receiver.sessions().upload(new ChunkUpload(sid, index, ChunkBody.of(ByteBuffer.wrap(parcel.part(index))), parcel.sha(index)));
    }
}
