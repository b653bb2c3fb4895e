package io.caravan.receiver;

import static io.caravan.receiver.ReceiverCalls.assertPublished;
import static io.caravan.receiver.ReceiverCalls.finish;
import static io.caravan.receiver.ReceiverCalls.putAll;
import static io.caravan.receiver.ReceiverCalls.range;
import static io.caravan.receiver.ReceiverCalls.smallParcel;
import static io.caravan.receiver.ReceiverCalls.startArchive;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An explicit remote name ("into": {@code send tree backup}) means "into that folder" only if the folder
 * existed when the session started. A folder that appears under the name later, the parcel's own first
 * publish among them (a finish whose answer a crash lost, sent again), is replaced as a version, never
 * published into: before, the retried finish of such a session nested the parcel in its own publish.
 */
class ReceiverIntoDecidedAtStartTest {

    @TempDir
    Path tmp;
    @RegisterExtension
    final RunningReceiver running = RunningReceiver.at(() -> tmp.resolve("inbox"));

    @Test
    void aFolderThatAppearsAfterTheStartIsReplacedNotPublishedInto(ReceiverFixture receiver) throws Exception {
        ReceiverCalls.Parcel parcel = smallParcel(tmp, "tree", 100_000, 1);
        String sid = startArchive(receiver, "backup", Map.of("into", true));
        putAll(receiver, sid, parcel, range(0, parcel.parts().size()));
        Path appeared = Files.createDirectories(receiver.inbox().resolve("backup"));
        Files.writeString(appeared.resolve("readme.txt"), "what the first publish left\n");

        assertPublished(receiver, finish(receiver, sid, parcel), parcel, "backup");
        assertThat(receiver.inbox().resolve("backup/tree")).doesNotExist();
    }

    @Test
    void aFolderThatExistedAtTheStartIsPublishedInto(ReceiverFixture receiver) throws Exception {
        ReceiverCalls.Parcel parcel = smallParcel(tmp, "tree", 100_000, 2);
        Files.createDirectories(receiver.inbox().resolve("backup"));
        String sid = startArchive(receiver, "backup", Map.of("into", true));
        putAll(receiver, sid, parcel, range(0, parcel.parts().size()));

        assertPublished(receiver, finish(receiver, sid, parcel), parcel, "backup/tree");
    }
}
