package io.caravan.share;

import static io.caravan.share.FakeShare.dir;
import static io.caravan.share.FakeShare.file;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caravan.util.Sha256;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A follower puts content at a path only when it is the server's content for that path: a file gone
 * and one come with the same size, mtime and mode are moved only when the server reported that
 * rename, or gave the new path's SHA-256 and it is the old file's; otherwise the new one is fetched.
 */
class FollowerRenamesTest {

    private static final long T = 1_700_000_000_000L;

    @TempDir
    Path tmp;
    FakeShare share;
    Path target;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<String> refused = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        share = new FakeShare();
        target = Files.createDirectories(tmp.resolve("fol"));
        share.listing(1, dir("dst"), file("dst/b", 2, T), dir("src"), file("src/a", 2, T));
        share.file("src/a", "aa");
        share.file("dst/b", "bb");
        share.follower(target, false, out, refused).once();
        assertThat(target.resolve("dst/b")).hasContent("bb");
    }

    @AfterEach
    void stop() {
        share.close();
    }

    @Test
    void aListingPairThatIsNotVerifiedIsFetched() throws Exception {
        // on the server: rm dst/b; mv src/a dst/a
        share.listing(2, dir("dst"), dir("src"), file("dst/a", 2, T));
        share.file("dst/a", "aa");
        share.follower(target, false, out, refused).once();
        assertThat(target.resolve("dst/a")).hasContent("aa");
        assertThat(target.resolve("dst/b")).doesNotExist();
        assertThat(target.resolve("src/a")).doesNotExist();
    }

    @Test
    void aSingleLookAlikeIsFetchedWithoutAChecksumAndMovedWithAMatchingOne() throws Exception {
        share.listing(2, dir("dst"), dir("src"), file("src/a", 2, T), file("dst/c", 2, T));
        share.file("dst/c", "cc");
        share.follower(target, false, out, refused).once();
        assertThat(target.resolve("dst/c")).hasContent("cc");

        // the server's SHA-256 of the new path is the old file's: moved without being fetched
        share.listing(3, dir("dst"), dir("src"), withSha(file("dst/c", 2, T), "cc"), withSha(file("src/moved", 2, T), "aa"));
        int served = share.served.get();
        share.follower(target, true, out, refused).once();
        assertThat(target.resolve("src/moved")).hasContent("aa");
        assertThat(share.served.get()).isEqualTo(served);
        assertThat(target.resolve("src/a")).doesNotExist();
    }

    @Test
    void aReportedRenameMovesExactlyThePairItNames() throws Exception {
        // on the server: rm -r dst; mv src dst. It reports the file's rename with its SHA-256: dst/a is src/a, never dst/b
        ShareFollower follower = share.follower(target, false, out, refused);
        follower.once();
        share.changes(2, 4, "{\"seq\":2,\"type\":\"RENAME\",\"path\":\"dst/a\",\"from\":\"src/a\",\"entry\":"
                        + withSha(file("dst/a", 2, T), "aa") + "}",
                "{\"seq\":3,\"type\":\"DELETE\",\"path\":\"dst/b\"}", "{\"seq\":4,\"type\":\"DELETE\",\"path\":\"src\"}");
        share.listing(4, dir("dst"), file("dst/a", 2, T));
        share.file("dst/a", "aa");
        int served = share.served.get();
        Thread thread = FakeShare.running(follower, out);
        try {
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                assertThat(target.resolve("dst/b")).doesNotExist();
                assertThat(target.resolve("src")).doesNotExist();
            });
            assertThat(target.resolve("dst/a")).hasContent("aa");
            assertThat(share.served.get()).as("moved, not fetched").isEqualTo(served);
        } finally {
            follower.close();
            thread.join(5000);
        }
    }

    /** A rename whose SHA-256 is not the follower's old file's (a new file on a freed inode) moves nothing: it is fetched. */
    @Test
    void aReportedRenameWhoseBytesTheOldFileHasNotIsFetched() throws Exception {
        ShareFollower follower = share.follower(target, false, out, refused);
        follower.once();
        share.changes(2, 2, "{\"seq\":2,\"type\":\"RENAME\",\"path\":\"src/b\",\"from\":\"src/a\",\"entry\":"
                + withSha(file("src/b", 2, T), "BB") + "}");
        share.listing(2, dir("dst"), file("dst/b", 2, T), dir("src"), file("src/b", 2, T));
        share.file("src/b", "BB");
        Thread thread = FakeShare.running(follower, out);
        try {
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(target.resolve("src/b")).hasContent("BB"));
            assertThat(target.resolve("src/a")).doesNotExist();
        } finally {
            follower.close();
            thread.join(5000);
        }
    }

    private static String withSha(String entry, String content) throws Exception {
        String sha = Sha256.of(new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)), new byte[64]);
        return entry.replace("}", ",\"sha256\":\"" + sha + "\"}");
    }
}
