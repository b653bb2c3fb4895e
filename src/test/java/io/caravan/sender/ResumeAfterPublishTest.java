package io.caravan.sender;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.TestTrees;
import io.caravan.pack.AutoCodec;
import io.caravan.pack.Chunk;
import io.caravan.pack.Codecs;
import io.caravan.pack.LevelLog;
import io.caravan.pack.PackIterator;
import io.caravan.pack.PackHooks;
import io.caravan.pack.PackOptions;
import io.caravan.pack.Packer;
import io.caravan.progress.ProgressListener;
import io.caravan.receiver.ReceiverFixture;
import io.caravan.receiver.RunningReceiver;
import io.caravan.util.TreeSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sender that stopped right after the receiver published its parcel, before it noted that in its
 * journal: run again, it learns from {@code GET /status} that the session is finished and completes
 * without putting a chunk on the wire, unless the source changed since, which is then sent again.
 */
class ResumeAfterPublishTest {

    @TempDir
    Path tmp;
    @RegisterExtension
    final RunningReceiver running = RunningReceiver.at(() -> tmp.resolve("inbox"));

    ReceiverFixture receiver;
    Path source;
    SenderSettings settings;

    @BeforeEach
    void start(ReceiverFixture started) throws Exception {
        receiver = started;
        source = Files.createDirectories(tmp.resolve("src/photos"));
        TestTrees.random(source.resolve("a.raw"), 700_000, 1);
        TestTrees.random(source.resolve("b.raw"), 500_000, 2);
        TestTrees.write(source.resolve("notes.txt"), "two pictures\n");
        settings = new SenderSettings("http://127.0.0.1:" + receiver.port(), null,
                new PackOptions(Codecs.byName("zstd"), 3, 256 * 1024, "photos"), 2, 1L << 20, tmp.resolve("state"),
                new Retry(2, Duration.ofMillis(100), Duration.ofMillis(200)));
    }

    /** Uploads and finishes the parcel as a sender does, but stops before the journal learns of the publish. */
    private void sendAndStopRightAfterThePublish(String name) throws Exception {
        sendAndStopRightAfterThePublish(name, java.util.Map.of());
    }

    private void sendAndStopRightAfterThePublish(String name, java.util.Map<String, Object> options) throws Exception {
        ParcelSender sender = new ParcelSender(settings);
        ParcelUpload upload = sender.open(source, name, options);
        try (PackIterator chunks = new PackIterator(new Packer(settings.pack().withName(name), ProgressListener.NONE,
                upload.hooks()), List.of(source))) {
            while (chunks.hasNext()) {
                Chunk chunk = chunks.next();
                upload.put(chunk);
                chunks.recycle(chunk);
            }
            sender.client().finish(upload.sessionId(), chunks.manifest().toJson());
        }
        assertThat(journalEntries()).as("the journal still has the parcel in flight").isEqualTo(1);
    }

    @Test
    void aParcelPublishedBeforeTheSenderStoppedCompletesWithNothingOnTheWire() throws Exception {
        sendAndStopRightAfterThePublish("photos");
        TreeSnapshot published = TreeSnapshot.of(receiver.inbox().resolve("photos"));
        long before = bytesReceived();

        ParcelSender.Result result = new ParcelSender(settings).send(source, "photos", ProgressListener.NONE);

        assertThat(result.sentBytes()).as("chunk bytes sent").isZero();
        assertThat(bytesReceived() - before).as("chunk bytes the receiver took").isZero();
        assertThat(result.answer().path("path").asText()).isEqualTo("photos");
        assertThat(journalEntries()).isZero();
        assertThat(TreeSnapshot.of(receiver.inbox().resolve("photos")).differences(published)).isEmpty();
        assertThat(TreeSnapshot.of(source).differences(published)).isEmpty();
    }

    /**
     * {@code send photos backup}: "into backup" while backup does not exist publishes the parcel as backup.
     * Run again after that publish, backup is now a folder there, and "into" would mean backup/photos: the
     * finished session is what counts, so nothing is sent and nothing is published inside it.
     */
    @Test
    void aParcelPublishedUnderAFreeNameIsNotSentIntoItselfWhenRunAgain() throws Exception {
        sendAndStopRightAfterThePublish("backup", java.util.Map.of("into", true));
        TreeSnapshot published = TreeSnapshot.of(receiver.inbox().resolve("backup"));
        long before = bytesReceived();

        ParcelSender.Result result = new ParcelSender(settings).send(source, "backup", java.util.Map.of("into", true),
                ProgressListener.NONE);

        assertThat(result.sentBytes()).as("chunk bytes sent").isZero();
        assertThat(bytesReceived() - before).as("chunk bytes the receiver took").isZero();
        assertThat(receiver.inbox().resolve("backup/backup")).doesNotExist();
        assertThat(receiver.inbox().resolve("backup/photos")).doesNotExist();
        assertThat(TreeSnapshot.of(receiver.inbox().resolve("backup")).differences(published)).isEmpty();
    }

    @Test
    void aParcelPackedWithAdaptiveLevelsIsRecognisedAfterItsPublish() throws Exception {
        TestTrees.write(source.resolve("log.txt"), "a line of a log that compresses well\n".repeat(40_000));
        // a level chosen every 256 KiB: the parcel spans several segments, stored and compressed ones
        settings = new SenderSettings(settings.url(), null, new PackOptions(new AutoCodec(2, 256 * 1024), 12, 256 * 1024,
                "photos"), 2, 1L << 20, tmp.resolve("state"), settings.retry());
        ParcelSender sender = new ParcelSender(settings);
        ParcelUpload upload = sender.open(source, "photos");
        // the first segments were packed at levels no fresh run starts with (a link that was slow then)
        Path levels = tmp.resolve("state/levels").resolve(upload.sessionId());
        Files.createDirectories(levels.getParent());
        Files.write(levels, new byte[] {12, -5, 19, Byte.MIN_VALUE, 7, 1});
        LevelLog earlier = LevelLog.in(levels);
        PackHooks hooks = new PackHooks() {
            @Override
            public LevelLog levels() {
                return earlier;
            }
        };
        try (PackIterator chunks = new PackIterator(new Packer(settings.pack().withName("photos"), ProgressListener.NONE,
                hooks), List.of(source))) {
            while (chunks.hasNext()) {
                Chunk chunk = chunks.next();
                upload.put(chunk);
                chunks.recycle(chunk);
            }
            sender.client().finish(upload.sessionId(), chunks.manifest().toJson());
        }
        assertThat(earlier.levels()).as("levels of every segment").hasSizeGreaterThan(8).startsWith(12, -5, 19);
        TreeSnapshot published = TreeSnapshot.of(receiver.inbox().resolve("photos"));
        long before = bytesReceived();

        ParcelSender.Result result = new ParcelSender(settings).send(source, "photos", ProgressListener.NONE);

        assertThat(result.sentBytes()).as("chunk bytes sent").isZero();
        assertThat(bytesReceived() - before).as("chunk bytes the receiver took").isZero();
        assertThat(TreeSnapshot.of(receiver.inbox().resolve("photos")).differences(published)).isEmpty();
        assertThat(TreeSnapshot.of(source).differences(published)).isEmpty();
        try (Stream<Path> files = Files.list(levels.getParent())) {
            assertThat(files.toList()).as("the finished session's levels are forgotten").isEmpty();
        }
    }

    @Test
    void aSourceChangedSinceThePublishIsSentAgain() throws Exception {
        sendAndStopRightAfterThePublish("photos");
        TestTrees.random(source.resolve("b.raw"), 500_000, 3);
        long before = bytesReceived();

        ParcelSender.Result result = new ParcelSender(settings).send(source, "photos", ProgressListener.NONE);

        assertThat(result.sentBytes()).isPositive();
        assertThat(bytesReceived() - before).isPositive();
        assertThat(journalEntries()).isZero();
        assertThat(TreeSnapshot.of(source).differences(TreeSnapshot.of(receiver.inbox().resolve("photos")))).isEmpty();
    }

    private long journalEntries() throws IOException {
        Path journal = tmp.resolve("state/journal");
        if (!Files.isDirectory(journal)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(journal)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".json")).count();
        }
    }

    private long bytesReceived() throws Exception {
        String scrape = receiver.get("/metrics").body();
        Matcher m = Pattern.compile("(?m)^caravan_bytes_received_bytes_total (\\S+)$").matcher(scrape);
        assertThat(m.find()).as(scrape).isTrue();
        return (long) Double.parseDouble(m.group(1));
    }
}
