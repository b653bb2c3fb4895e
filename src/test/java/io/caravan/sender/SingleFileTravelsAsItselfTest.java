package io.caravan.sender;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.InPlaceChange;
import io.caravan.TestTrees;
import io.caravan.pack.Codecs;
import io.caravan.pack.PackOptions;
import io.caravan.progress.ProgressListener;
import io.caravan.receiver.ReceiverFixture;
import io.caravan.receiver.RunningReceiver;
import io.caravan.util.Sha256;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A single file that would not be compressed (codec {@code none}, or {@code auto} and incompressible)
 * travels as itself, in a raw session: no tar around it, so the receiver writes its bytes once, where
 * they belong, and its answer carries the file's own SHA-256. Its mode and modification time arrive as
 * a tar entry's would. A compressible file still travels packed.
 */
class SingleFileTravelsAsItselfTest {

    @TempDir
    Path tmp;
    @RegisterExtension
    final RunningReceiver running = RunningReceiver.at(() -> tmp.resolve("inbox"))
            .properties(Map.of("caravan.receiver.dedup-min-size", "100KiB"));

    ReceiverFixture receiver;

    @BeforeEach
    void start(ReceiverFixture started) {
        receiver = started;
    }

    private SenderSettings settings(String codec) {
        return new SenderSettings("http://127.0.0.1:" + receiver.port(), null,
                new PackOptions(Codecs.byName(codec), Codecs.byName(codec).defaultLevel(), 64 * 1024, "x"), 2, 100 * 1024, tmp.resolve("state"),
                new Retry(2, Duration.ofMillis(100), Duration.ofMillis(200)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "auto"})
    void anIncompressibleFileArrivesAsItselfWithItsModeAndTime(String codec) throws Exception {
        Path file = Files.createDirectories(tmp.resolve("src")).resolve("video.bin");
        TestTrees.random(file, 300_000, 5);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        FileTime mtime = FileTime.from(Instant.parse("2024-05-06T07:08:09Z"));
        Files.setLastModifiedTime(file, mtime);
        InPlaceChange.settle(file);

        ParcelSender.Result sent = new ParcelSender(settings(codec)).send(file, "video.bin", ProgressListener.NONE);

        byte[] bytes = Files.readAllBytes(file);
        Path published = receiver.inbox().resolve("video.bin");
        assertThat(Files.readAllBytes(published)).isEqualTo(bytes);
        assertThat(sent.answer().path("sha256").asText()).as("the file itself was the stream")
                .isEqualTo(Sha256.of(bytes, 0, bytes.length));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(published))).isEqualTo("rw-r-----");
        assertThat(Files.getLastModifiedTime(published).toInstant()).isEqualTo(mtime.toInstant());
        assertThat(sent.reads().opens(file)).isEqualTo(1);
    }

    @Test
    void remoteNamesPlaceItAsTheyPlaceAPackedFile() throws Exception {
        Path file = Files.createDirectories(tmp.resolve("src")).resolve("video.bin");
        TestTrees.random(file, 200_000, 6);
        InPlaceChange.settle(file);
        Files.createDirectories(receiver.inbox().resolve("album"));
        ParcelSender sender = new ParcelSender(settings("none"));

        sender.send(file, "backup/", Map.of("into", true), ProgressListener.NONE);
        sender.send(file, "album", Map.of("into", true), ProgressListener.NONE);
        sender.send(file, "renamed.bin", Map.of("into", true), ProgressListener.NONE);

        for (String path : new String[] {"backup/video.bin", "album/video.bin", "renamed.bin"}) {
            assertThat(Files.mismatch(file, receiver.inbox().resolve(path))).as(path).isEqualTo(-1L);
        }
    }

    @Test
    void itsNextSendIsAReferenceWithoutReadingItThoughTheSenderNeverHashedItWhole() throws Exception {
        Path file = Files.createDirectories(tmp.resolve("src")).resolve("video.bin");
        TestTrees.random(file, 300_000, 8);
        InPlaceChange.settle(file);
        ParcelSender.Result first = new ParcelSender(settings("auto")).send(file, "first.bin", ProgressListener.NONE);
        assertThat(first.answer().path("sha256").asText()).isEqualTo(Sha256.of(Files.readAllBytes(file), 0, 300_000));

        ParcelSender.Result second = new ParcelSender(settings("auto")).send(file, "second.bin", ProgressListener.NONE);

        assertThat(second.reads().opens(file)).as("the receiver's hash of it was remembered").isZero();
        assertThat(second.reads().referencedFiles()).isEqualTo(1);
        assertThat(second.sentBytes()).isLessThan(300_000 / 50);
        assertThat(Files.mismatch(file, receiver.inbox().resolve("second.bin"))).isEqualTo(-1L);
    }

    @Test
    void aCompressibleFileStillTravelsPacked() throws Exception {
        Path file = Files.createDirectories(tmp.resolve("src")).resolve("notes.txt");
        TestTrees.write(file, "the same line again\n".repeat(20_000));
        InPlaceChange.settle(file);

        ParcelSender.Result sent = new ParcelSender(settings("auto")).send(file, "notes.txt", ProgressListener.NONE);

        byte[] bytes = Files.readAllBytes(file);
        assertThat(Files.readAllBytes(receiver.inbox().resolve("notes.txt"))).isEqualTo(bytes);
        assertThat(sent.sentBytes()).as("compressed on the wire").isLessThan(bytes.length / 10);
    }
}
