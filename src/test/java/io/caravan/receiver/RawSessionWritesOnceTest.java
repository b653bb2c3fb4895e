package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.pack.ChunkInfo;
import io.caravan.pack.Manifest;
import io.caravan.pack.ManifestException;
import io.caravan.session.ChunkBody;
import io.caravan.session.SessionLimits;
import io.caravan.unpack.ExtractPolicy;
import io.caravan.unpack.OnConflict;
import io.caravan.util.Sha256;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A raw session with a chunk size writes each byte once: its chunks land at their positions in one
 * file, and the finish publishes that very file (same inode), hashed while the chunks arrived, instead
 * of joining chunk files into a copy. A chunk sent again with another body still gives the right file.
 */
class RawSessionWritesOnceTest {

    private static final int CHUNK = 64 * 1024;

    @TempDir
    Path tmp;

    private Receiver receiver(Path inbox) throws Exception {
        ReceiverConfig config = new ReceiverConfig(inbox, Duration.ofDays(1), new SessionLimits(1 << 20, 64, 1L << 30, 0, true, 0),
                1L << 20, OnConflict.REPLACE, ExtractPolicy.DEFAULT, Duration.ofDays(1));
        return new Receiver(config, new SimpleMeterRegistry(), Clock.systemUTC());
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static Object inode(Path file) throws Exception {
        return Files.getAttribute(file, "unix:ino");
    }

    /** The largest file in the session's folder: where its chunks are. */
    private static Path largestFile(Path dir) throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).max(Comparator.comparingLong(f -> f.toFile().length())).orElseThrow();
        }
    }

    @Test
    void theFinishPublishesTheFileTheChunksWereWrittenInto() throws Exception {
        Path inbox = tmp.resolve("inbox");
        byte[][] parts = {random(CHUNK, 1), random(CHUNK, 2), random(1000, 3)};
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            whole.writeBytes(part);
        }
        try (Receiver receiver = receiver(inbox)) {
            Sessions sessions = receiver.sessions();
            String sid = sessions.start(new StartRequest("big.bin", null, null, (long) CHUNK, null, null, false, false)).sessionId();
            for (int index : new int[] {1, 2, 0}) {
                sessions.upload(new ChunkUpload(sid, index, ChunkBody.of(ByteBuffer.wrap(parts[index])),
                        Sha256.of(parts[index], 0, parts[index].length)));
            }
            Object written = inode(largestFile(receiver.config().stateDir().resolve("sessions").resolve(sid)));

            Published published = receiver.publishing().finish(new FinishRequest(sid, null));

            Path file = inbox.resolve("big.bin");
            assertThat(Files.readAllBytes(file)).isEqualTo(whole.toByteArray());
            assertThat(published.sha256()).isEqualTo(Sha256.of(whole.toByteArray(), 0, whole.size()));
            assertThat(inode(file)).as("published without a copy").isEqualTo(written);
        }
    }

    @Test
    void aFileNameInTheManifestThatLeavesItsFolderIsRefusedAndNothingIsPublished() throws Exception {
        Path inbox = tmp.resolve("inbox");
        byte[] part = random(1000, 1);
        String sha = Sha256.of(part, 0, part.length);
        try (Receiver receiver = receiver(inbox)) {
            Sessions sessions = receiver.sessions();
            String sid = sessions.start(new StartRequest("x.bin", null, null, (long) CHUNK, null, null, false, false)).sessionId();
            sessions.upload(new ChunkUpload(sid, 0, ChunkBody.of(ByteBuffer.wrap(part)), sha));
            for (String name : new String[] {"../escape.bin", "a/b", "..", ".caravan"}) {
                String manifest = new Manifest(Manifest.VERSION, Manifest.FORMAT, "x.bin", "none", null, CHUNK, 1, 1000, sha,
                        1L, 1000L, null, List.of(new ChunkInfo(0, 1000, sha)), new Manifest.FileFacts(name, 0644,
                        "2024-01-01T00:00:00Z")).toJson();

                assertThatThrownBy(() -> receiver.publishing().finish(new FinishRequest(sid, manifest)))
                        .as(name).isInstanceOf(ManifestException.class).hasMessageContaining("file.name");
            }
            try (Stream<Path> all = Files.walk(tmp)) {
                assertThat(all.filter(p -> p.getFileName().toString().equals("escape.bin"))).isEmpty();
            }
            assertThat(sessions.status(sid)).as("the session is still open").isNotNull();
        }
    }

    @Test
    void aChunkSentAgainWithAnotherBodyIsWhatThePublishedFileHolds() throws Exception {
        Path inbox = tmp.resolve("inbox");
        byte[][] parts = {random(CHUNK, 1), random(CHUNK, 2), random(CHUNK, 3)};
        byte[] changed = random(CHUNK, 4);
        try (Receiver receiver = receiver(inbox)) {
            Sessions sessions = receiver.sessions();
            String sid = sessions.start(new StartRequest("big.bin", null, null, (long) CHUNK, null, null, false, false)).sessionId();
            for (int index = 0; index < 3; index++) {
                sessions.upload(new ChunkUpload(sid, index, ChunkBody.of(ByteBuffer.wrap(parts[index])), null));
            }
            sessions.upload(new ChunkUpload(sid, 1, ChunkBody.of(ByteBuffer.wrap(changed)), null));

            receiver.publishing().finish(new FinishRequest(sid, null));

            ByteArrayOutputStream whole = new ByteArrayOutputStream();
            whole.writeBytes(parts[0]);
            whole.writeBytes(changed);
            whole.writeBytes(parts[2]);
            assertThat(Files.readAllBytes(inbox.resolve("big.bin"))).isEqualTo(whole.toByteArray());
        }
    }
}
