package io.caravan.receiver;

import static io.caravan.receiver.ReceiverCalls.finish;
import static io.caravan.receiver.ReceiverCalls.ok;
import static io.caravan.receiver.ReceiverCalls.putAll;
import static io.caravan.receiver.ReceiverCalls.range;
import static io.caravan.receiver.ReceiverCalls.startArchive;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caravan.receiver.ReceiverCalls.Parcel;
import io.caravan.util.TreeSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing replaced is lost: what a publish replaces and what a mirror change removes goes to
 * {@code <inbox>/.caravan/versions/<time>-<id>/<path>}, kept for keep-versions and then removed by
 * the cleanup job; {@code keep-versions=0} deletes at once.
 */
class ReceiverVersionsTest {

    @TempDir
    Path tmp;

    @Test
    void aReplacedParcelAndADeletedMirrorFileAreKeptThenCleanedUp() throws Exception {
        Parcel first = ReceiverCalls.smallParcel(tmp, "first", 50_000, 1);
        Parcel second = ReceiverCalls.smallParcel(tmp, "second", 60_000, 2);
        Path inbox = tmp.resolve("inbox");
        try (ReceiverFixture receiver = new ReceiverFixture(inbox, Map.of("caravan.receiver.keep-versions", "3s",
                "caravan.receiver.cleanup-cron", "0/1 * * * * ?"))) {
            publish(receiver, first, "reports");
            TreeSnapshot old = TreeSnapshot.of(inbox.resolve("reports"));
            publish(receiver, second, "reports");
            ReceiverCalls.assertSameTree(second.source(), inbox.resolve("reports"));
            List<Path> kept = versionsOf(inbox, "reports");
            assertThat(kept).hasSize(1);
            assertThat(old.differences(TreeSnapshot.of(kept.get(0)))).isEmpty();

            Files.createDirectories(inbox.resolve("site/docs"));
            Files.writeString(inbox.resolve("site/docs/a.txt"), "mirror file");
            ok(receiver.post("/mirror/changes?name=site", "{\"delete\":[\"docs/a.txt\"]}"), 200);
            assertThat(inbox.resolve("site/docs/a.txt")).doesNotExist();
            assertThat(versionsOf(inbox, "site/docs/a.txt")).singleElement()
                    .satisfies(v -> assertThat(v).hasContent("mirror file"));

            await("versions older than keep-versions removed").atMost(Duration.ofSeconds(15))
                    .until(() -> versionsOf(inbox, "reports").isEmpty() && versionsOf(inbox, "site/docs/a.txt").isEmpty());
            ReceiverCalls.assertSameTree(second.source(), inbox.resolve("reports"));
        }
    }

    @Test
    void keepVersionsZeroDeletesWhatIsReplaced() throws Exception {
        Parcel first = ReceiverCalls.smallParcel(tmp, "first", 50_000, 1);
        Parcel second = ReceiverCalls.smallParcel(tmp, "second", 60_000, 2);
        Path inbox = tmp.resolve("inbox");
        try (ReceiverFixture receiver = new ReceiverFixture(inbox, Map.of("caravan.receiver.keep-versions", "0"))) {
            publish(receiver, first, "reports");
            publish(receiver, second, "reports");
            ReceiverCalls.assertSameTree(second.source(), inbox.resolve("reports"));
            assertThat(versionsOf(inbox, "reports")).isEmpty();
        }
    }

    private static void publish(ReceiverFixture receiver, Parcel parcel, String name) throws Exception {
        String sid = startArchive(receiver, name);
        putAll(receiver, sid, parcel, range(0, parcel.count()));
        ok(finish(receiver, sid, parcel), 200);
    }

    static List<Path> versionsOf(Path inbox, String relative) throws IOException {
        Path area = inbox.resolve(".caravan/versions");
        if (!Files.isDirectory(area)) {
            return List.of();
        }
        try (Stream<Path> folders = Files.list(area)) {
            return folders.map(f -> f.resolve(relative)).filter(Files::exists).toList();
        }
    }
}
