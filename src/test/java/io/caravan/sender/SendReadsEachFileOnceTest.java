package io.caravan.sender;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.InPlaceChange;
import io.caravan.TestTrees;
import io.caravan.pack.Codecs;
import io.caravan.pack.PackOptions;
import io.caravan.pack.SourceReads;
import io.caravan.progress.ProgressListener;
import io.caravan.receiver.ReceiverFixture;
import io.caravan.receiver.RunningReceiver;
import io.caravan.util.TreeSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A send reads each source file once: one open and exactly its bytes, the file's SHA-256 for the
 * hash cache computed on the way, no pass before packing for dedup and none after for the
 * manifest; a second name of a hard-linked file and a symlink are not read. The next send of the
 * same folder sends the large files as references without opening them, and both published trees
 * equal the source.
 */
class SendReadsEachFileOnceTest {

    @TempDir
    Path tmp;
    @RegisterExtension
    final RunningReceiver running = RunningReceiver.at(() -> tmp.resolve("inbox"))
            .properties(Map.of("caravan.receiver.dedup-min-size", "100KiB"));

    ReceiverFixture receiver;
    Path source;
    List<Path> large;
    List<Path> small;
    SenderSettings settings;

    @BeforeEach
    void start(ReceiverFixture started) throws Exception {
        receiver = started;
        source = Files.createDirectories(tmp.resolve("src/photos"));
        Path raw = Files.createDirectories(source.resolve("raw"));
        large = List.of(source.resolve("a.jpg"), raw.resolve("b.raw"), raw.resolve("c.raw"));
        TestTrees.random(large.get(0), 300_000, 1);
        TestTrees.random(large.get(1), 250_000, 2);
        TestTrees.random(large.get(2), 150_000, 3);
        small = List.of(source.resolve("notes.txt"), raw.resolve("list.csv"));
        TestTrees.write(small.get(0), "three pictures\n");
        TestTrees.write(small.get(1), "a.jpg,b.raw,c.raw\n");
        Files.createSymbolicLink(source.resolve("latest.jpg"), Path.of("a.jpg"));
        settings = new SenderSettings("http://127.0.0.1:" + receiver.port(), null,
                new PackOptions(Codecs.byName("zstd"), 3, 64 * 1024, "photos"), 2, 100 * 1024, tmp.resolve("state"),
                new Retry(2, Duration.ofMillis(100), Duration.ofMillis(200)));
    }

    @Test
    void aSendOpensEachSourceFileOnceAndReadsExactlyItsBytes() throws Exception {
        Path linked = Files.createLink(source.resolve("raw/z-same-as-b.raw"), large.get(1));
        InPlaceChange.settle(large.toArray(Path[]::new));

        ParcelSender.Result sent = new ParcelSender(settings).send(source, "first", ProgressListener.NONE);

        SourceReads reads = sent.reads();
        for (Path file : concat(large, small)) {
            assertThat(reads.opens(file)).as("opens of %s", file).isEqualTo(1);
        }
        assertThat(reads.opens(linked)).as("opens of a second name of b.raw, packed as a link to it").isEqualTo(1);
        assertThat(reads.opens(source.resolve("latest.jpg"))).as("a symlink").isZero();
        assertThat(reads.files()).isEqualTo(5);
        assertThat(reads.bytes()).isEqualTo(sizes(concat(large, small)));
        assertThat(reads.readMoreThanOnce()).isEmpty();
        assertThat(reads.referencedFiles()).isZero();
        assertThat(TreeSnapshot.of(source).differences(TreeSnapshot.of(receiver.inbox().resolve("first")))).isEmpty();
    }

    @Test
    void theNextSendOfTheSameFilesSendsThemAsReferencesWithoutReadingThem() throws Exception {
        InPlaceChange.settle(large.toArray(Path[]::new));
        ParcelSender.Result first = new ParcelSender(settings).send(source, "first", ProgressListener.NONE);
        assertThat(first.reads().referencedFiles()).isZero();

        ParcelSender.Result second = new ParcelSender(settings).send(source, "second", ProgressListener.NONE);

        SourceReads reads = second.reads();
        for (Path file : large) {
            assertThat(reads.opens(file)).as("opens of %s, stored on the receiver", file).isZero();
        }
        for (Path file : small) {
            assertThat(reads.opens(file)).as("opens of %s, below dedup-min-size", file).isEqualTo(1);
        }
        assertThat(reads.referencedFiles()).isEqualTo(3);
        assertThat(reads.referencedBytes()).isEqualTo(sizes(large));
        assertThat(reads.bytes()).isEqualTo(sizes(small));
        assertThat(second.sentBytes()).as("bytes on the wire").isLessThan(sizes(large) / 50);
        assertThat(TreeSnapshot.of(source).differences(TreeSnapshot.of(receiver.inbox().resolve("second")))).isEmpty();
    }

    /**
     * Every send after the first travels as references, however many times the same folder is sent under the same
     * name: a publish of references dropped the replaced files from the receiver's index and indexed only the files
     * it extracted, so every other send went in full.
     */
    @Test
    void everySendAfterTheFirstTravelsAsReferences() throws Exception {
        InPlaceChange.settle(large.toArray(Path[]::new));
        new ParcelSender(settings).send(source, "again", ProgressListener.NONE);
        for (int send = 2; send <= 4; send++) {
            ParcelSender.Result next = new ParcelSender(settings).send(source, "again", ProgressListener.NONE);
            assertThat(next.reads().referencedFiles()).as("files sent as references by send %d", send).isEqualTo(3);
        }
        assertThat(TreeSnapshot.of(source).differences(TreeSnapshot.of(receiver.inbox().resolve("again")))).isEmpty();
    }

    private static List<Path> concat(List<Path> a, List<Path> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }

    private static long sizes(List<Path> files) throws java.io.IOException {
        long total = 0;
        for (Path file : files) {
            total += Files.size(file);
        }
        return total;
    }
}
