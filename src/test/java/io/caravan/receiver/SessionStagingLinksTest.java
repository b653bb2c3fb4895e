package io.caravan.receiver;

import static io.caravan.receiver.ReceiverCalls.assertPublished;
import static io.caravan.receiver.ReceiverCalls.error;
import static io.caravan.receiver.ReceiverCalls.finish;
import static io.caravan.receiver.ReceiverCalls.inboxEntries;
import static io.caravan.receiver.ReceiverCalls.putAll;
import static io.caravan.receiver.ReceiverCalls.range;
import static io.caravan.receiver.ReceiverCalls.startArchive;
import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.receiver.ReceiverCalls.Parcel;
import io.caravan.util.TreeSnapshot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each session's own folder in the receiver's staging folder ({@code .caravan/staging/<sid>}, owner-only) is created,
 * used and removed through the staging folder held open, never by its name alone: a link swapped in for it
 * while the session's chunks are extracted is never written through, read from or published, and the finish
 * is refused with 409 {@code unsafe_path} naming it; the session is extracted again into a real folder of its
 * own, so the next finish publishes it.
 */
class SessionStagingLinksTest {

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aLinkSwappedInForASessionsStagingFolderIsRefusedAndNothingGoesThroughIt() throws Exception {
        Path victim = Files.createDirectories(tmp.resolve("victim"));
        Files.writeString(victim.resolve("notes.txt"), "user data\n");
        TreeSnapshot before = TreeSnapshot.of(victim);
        Parcel parcel = ReceiverCalls.smallParcel(tmp, "parcel", 100_000, 3);
        try (ReceiverFixture receiver = new ReceiverFixture(tmp.resolve("inbox"))) {
            String sid = startArchive(receiver, "doc");
            putAll(receiver, sid, parcel, range(0, parcel.count()));
            Path own = receiver.inbox().resolve(".caravan/staging").resolve(sid);
            for (long end = System.nanoTime() + 30_000_000_000L; !Files.isDirectory(own, LinkOption.NOFOLLOW_LINKS); ) {
                assertThat(System.nanoTime()).as("the session's staging folder appears").isLessThan(end);
                Thread.sleep(10);
            }
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(own, LinkOption.NOFOLLOW_LINKS)))
                    .as("owner-only").isEqualTo("rwx------");
            Files.move(own, own.resolveSibling(sid + ".away"), StandardCopyOption.ATOMIC_MOVE);
            Files.createSymbolicLink(own, victim);

            assertThat(error(finish(receiver, sid, parcel), 409, "unsafe_path").get("message").asText())
                    .contains(sid).contains("symbolic link");
            assertThat(inboxEntries(receiver)).as("nothing published").isEmpty();
            assertThat(TreeSnapshot.of(victim).differences(before)).isEmpty();

            assertPublished(receiver, finish(receiver, sid, parcel), parcel, "doc");
        }
        assertThat(TreeSnapshot.of(victim).differences(before)).isEmpty();
        assertThat(victim).isDirectory();
    }

    /**
     * A parcel of several top-level entries is published as one folder gathered inside the session's staging
     * folder; a publish refused for a taken name keeps it gathered, and the next finish publishes it whole.
     */
    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aParcelOfSeveralTopLevelEntriesIsPublishedWholeAfterARefusedPublish() throws Exception {
        CraftedParcel pair = CraftedParcel.of(tar -> {
            CraftedParcel.file(tar, "a.txt", "a\n".getBytes(StandardCharsets.UTF_8));
            CraftedParcel.file(tar, "b/c.txt", "c\n".getBytes(StandardCharsets.UTF_8));
        }, 4096);
        try (ReceiverFixture receiver = new ReceiverFixture(tmp.resolve("inbox"))) {
            Files.writeString(receiver.inbox().resolve("pair"), "in the way\n");
            String sid = startArchive(receiver, "pair", Map.of("on_conflict", "fail"));
            pair.upload(receiver, sid);

            assertThat(pair.finish(receiver, sid).statusCode()).isEqualTo(409);
            assertThat(Files.readString(receiver.inbox().resolve("pair"))).isEqualTo("in the way\n");

            Files.delete(receiver.inbox().resolve("pair"));
            assertThat(pair.finish(receiver, sid).statusCode()).isEqualTo(200);
            assertThat(Files.readString(receiver.inbox().resolve("pair/a.txt"))).isEqualTo("a\n");
            assertThat(Files.readString(receiver.inbox().resolve("pair/b/c.txt"))).isEqualTo("c\n");
            try (Stream<Path> published = Files.list(receiver.inbox().resolve("pair"))) {
                assertThat(published.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("a.txt", "b");
            }
        }
    }
}
