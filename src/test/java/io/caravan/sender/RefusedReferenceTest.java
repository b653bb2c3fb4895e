package io.caravan.sender;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.InPlaceChange;
import io.caravan.TestTrees;
import io.caravan.pack.Codecs;
import io.caravan.pack.PackOptions;
import io.caravan.progress.ProgressListener;
import io.caravan.receiver.ReceiverFixture;
import io.caravan.receiver.RunningReceiver;
import io.caravan.util.TreeSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sender whose parcel refers to stored content the receiver no longer holds as those bytes (the
 * stored file changed between the sender's check and the finish) is refused with
 * {@code reference_unavailable}; it sends the parcel again with the content and ends with exactly
 * its source published.
 */
class RefusedReferenceTest {

    @TempDir
    Path tmp;
    @RegisterExtension
    final RunningReceiver running = RunningReceiver.at(() -> tmp.resolve("inbox"))
            .properties(Map.of("caravan.receiver.dedup-min-size", "100KiB"));

    ReceiverFixture receiver;
    Path source;
    SenderSettings settings;

    @BeforeEach
    void start(ReceiverFixture started) throws Exception {
        receiver = started;
        source = Files.createDirectories(tmp.resolve("src/photos"));
        TestTrees.random(source.resolve("a.raw"), 300_000, 1);
        TestTrees.random(source.resolve("b.raw"), 200_000, 2);
        TestTrees.write(source.resolve("notes.txt"), "two pictures\n");
        InPlaceChange.settle(source.resolve("a.raw"), source.resolve("b.raw"));
        settings = new SenderSettings("http://127.0.0.1:" + receiver.port(), null,
                new PackOptions(Codecs.byName("zstd"), 3, 64 * 1024, "photos"), 2, 100 * 1024, tmp.resolve("state"),
                new Retry(2, Duration.ofMillis(100), Duration.ofMillis(200)));
    }

    @Test
    void aReferenceRefusedAtTheFinishIsSentAsContentAndTheSourceIsPublished() throws Exception {
        ParcelSender.Result first = new ParcelSender(settings).send(source, "first", ProgressListener.NONE);
        assertThat(first.answer().path("path").asText()).isEqualTo("first");

        // the second send checked and chose references, then stopped; meanwhile a stored file changed in place
        ParcelUpload planned = new ParcelSender(settings).open(source, "second");
        assertThat(planned.dedup().references()).hasSize(2);
        InPlaceChange.flipFirstByteKeepingSizeAndMtime(receiver.inbox().resolve("first/a.raw"));

        ParcelSender.Result second = new ParcelSender(settings).send(source, "second", ProgressListener.NONE);

        assertThat(second.answer().path("path").asText()).isEqualTo("second");
        assertThat(TreeSnapshot.of(source).differences(TreeSnapshot.of(receiver.inbox().resolve("second")))).isEmpty();
        assertThat(Files.list(tmp.resolve("state/journal")).filter(f -> f.toString().endsWith(".json"))).isEmpty();
    }
}
