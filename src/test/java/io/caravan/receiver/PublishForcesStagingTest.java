package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.session.ChunkBody;
import io.caravan.session.CountingSyncer;
import io.caravan.session.Durability;
import io.caravan.session.SessionLimits;
import io.caravan.unpack.ExtractPolicy;
import io.caravan.unpack.OnConflict;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whatever the durability, a finish forces what it staged (the raw file, the extracted tree) to disk
 * before the rename that publishes it, and then the folder that rename changed: a published parcel
 * survives a power loss.
 */
class PublishForcesStagingTest {

    @TempDir
    Path tmp;

    /** A receiver on {@code inbox} without Camel, chunks up to 1 MiB, its store forcing through {@code syncer}. */
    static Receiver receiver(Path inbox, Durability.Mode mode, CountingSyncer syncer) throws Exception {
        ReceiverConfig config = new ReceiverConfig(inbox, Duration.ofDays(1), new SessionLimits(1 << 20, 64, 1L << 30, 0, false, 0),
                1L << 20, OnConflict.REPLACE, ExtractPolicy.DEFAULT, Duration.ofDays(1), new Durability(mode, syncer));
        return new Receiver(config, new SimpleMeterRegistry(), Clock.systemUTC());
    }

    @Test
    void aRawFileIsForcedBeforeItsPublishAndTheInboxAfterIt() throws Exception {
        Path inbox = tmp.resolve("inbox");
        CountingSyncer syncer = new CountingSyncer("boot-1");
        try (Receiver receiver = receiver(inbox, Durability.Mode.PUBLISH, syncer)) {
            Sessions sessions = receiver.sessions();
            String sid = sessions.start(new StartRequest("notes.txt", null, null, null, null, null, false, false)).sessionId();
            sessions.upload(new ChunkUpload(sid, 0, body("hello "), null));
            sessions.upload(new ChunkUpload(sid, 1, body("world"), null));
            syncer.clear();

            receiver.publishing().finish(new FinishRequest(sid, null));

            assertThat(Files.readString(inbox.resolve("notes.txt"))).isEqualTo("hello world");
            List<String> events = syncer.events();
            // the session's staging folder is held open while the file is joined: the file is reached through it
            int file = -1;
            for (int i = 0; i < events.size() && file < 0; i++) {
                if (events.get(i).startsWith("file /proc/self/fd/") && events.get(i).endsWith("/./notes.txt")) {
                    file = i;
                }
            }
            int folder = events.indexOf("folder " + inbox);
            assertThat(file).as("the staged file is forced: %s", events).isGreaterThanOrEqualTo(0);
            assertThat(folder).as("then the inbox, after the rename: %s", events).isGreaterThan(file);
        }
    }

    @Test
    void anExtractedTreeIsForcedBeforeItsPublishAndTheFolderItLandsInAfterIt() throws Exception {
        Path inbox = tmp.resolve("inbox");
        CountingSyncer syncer = new CountingSyncer("boot-1");
        CraftedParcel parcel = CraftedParcel.of(tar -> {
            for (String name : List.of("album/a.txt", "album/sub/b.txt")) {
                byte[] text = name.getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry entry = new TarArchiveEntry(name);
                entry.setSize(text.length);
                entry.setMode(0100644);
                tar.putArchiveEntry(entry);
                tar.write(text);
                tar.closeArchiveEntry();
            }
        }, 64);
        try (Receiver receiver = receiver(inbox, Durability.Mode.CHUNK, syncer)) {
            Sessions sessions = receiver.sessions();
            String sid = sessions.start(new StartRequest("backup/", "zstd", null, null, null, null, false, false)).sessionId();
            for (int i = 0; i < parcel.count(); i++) {
                sessions.upload(new ChunkUpload(sid, i, ChunkBody.of(ByteBuffer.wrap(parcel.parts().get(i))), null));
            }
            syncer.clear();

            receiver.publishing().finish(new FinishRequest(sid, parcel.manifest().toJson()));

            assertThat(Files.readString(inbox.resolve("backup/album/sub/b.txt"))).isEqualTo("album/sub/b.txt");
            List<String> events = syncer.events();
            String staging = "tree " + receiver.config().stateDir().resolve("staging");
            int tree = -1;
            for (int i = 0; i < events.size() && tree < 0; i++) {
                if (events.get(i).startsWith(staging)) {
                    tree = i;
                }
            }
            assertThat(tree).as("the staged tree is forced: %s", events).isGreaterThanOrEqualTo(0);
            assertThat(events.get(tree)).as("while it still holds the files, before the rename").endsWith(" files=2");
            assertThat(events.indexOf("folder " + inbox.resolve("backup"))).as("then the folder it landed in: %s", events)
                    .isGreaterThan(tree);
            assertThat(events.indexOf("folder " + inbox)).as("and the inbox, which gained 'backup': %s", events)
                    .isGreaterThan(tree);
        }
    }

    private static ChunkBody body(String text) {
        return ChunkBody.of(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }
}
