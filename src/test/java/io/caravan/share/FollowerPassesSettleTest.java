package io.caravan.share;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.sync.LocalMirror;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a pass applied is what the next pass finds: a listing a follower cannot take as it is (a file
 * with setuid or setgid bits, a file below a link of the share) is settled by the first pass, and the
 * passes after it change nothing, so no version of a file is kept again and again. Folders keep the
 * sticky bit the share lists; files never get setuid, setgid or sticky.
 */
class FollowerPassesSettleTest {

    @TempDir
    Path target;
    final FakeShare share = new FakeShare();
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final List<String> refused = new CopyOnWriteArrayList<>();

    FollowerPassesSettleTest() throws IOException {
    }

    @AfterEach
    void closeShare() {
        share.close();
    }

    @Test
    void setuidAndSetgidBitsAreDroppedOnceNotAppliedEveryPass() throws Exception {
        share.listing(1, entry("tool", "file", 04755, 4), entry("shared", "file", 02775, 5), entry("odd", "file", 01644, 3));
        share.file("tool", "tool");
        share.file("shared", "group");
        share.file("odd", "odd");
        Files.writeString(target.resolve("tool"), "old tool"); // replaced once: one version

        ShareFollower follower = share.follower(target, false, out, refused);
        assertThat(follower.once().ok()).as(console()).isTrue();
        List<String> versions = versions();
        int served = share.served.get() + share.bundles.get();
        assertThat(follower.once().ok()).as(console()).isTrue();
        assertThat(follower.once().ok()).as(console()).isTrue();

        assertThat(versions()).as(console()).isEqualTo(versions).hasSize(1);
        assertThat(share.served.get() + share.bundles.get()).as("fetched again: " + console()).isEqualTo(served);
        assertThat(mode(target.resolve("tool"))).isEqualTo(0755);
        assertThat(mode(target.resolve("shared"))).isEqualTo(0775);
        assertThat(mode(target.resolve("odd"))).isEqualTo(0644);
    }

    @Test
    void aFileBelowALinkOfTheListingIsRefusedOnceAndTheLinkStays() throws Exception {
        share.listing(1, "{\"path\":\"a\",\"type\":\"link\",\"target\":\"elsewhere\",\"size\":0,\"mtime\":0,\"mode\":511}",
                entry("a/x", "file", 0644, 1), entry("b", "file", 0644, 1), entry("b/y", "file", 0644, 1));
        share.file("a/x", "x");
        share.file("b", "b");
        share.file("b/y", "y");

        ShareFollower follower = share.follower(target, false, out, refused);
        follower.once();
        List<String> versions = versions();
        String first = console();
        follower.once();
        follower.once();

        assertThat(versions()).as(console()).isEqualTo(versions).isEmpty();
        assertThat(Files.readSymbolicLink(target.resolve("a")).toString()).as(console()).isEqualTo("elsewhere");
        assertThat(target.resolve("b")).as(console()).hasContent("b");
        assertThat(first).contains("Refused: a/x: it would be below the link 'a'")
                .contains("Refused: b/y: it would be below the file 'b'");
        assertThat(console().substring(first.length())).as("said once").doesNotContain("Refused:")
                .doesNotContain("Modified").doesNotContain("Created").doesNotContain("Deleted");
    }

    @Test
    void aStickyFolderStaysSticky() throws Exception {
        share.listing(1, entry("pub", "dir", 01777, 0), entry("pub/f", "file", 0644, 1), entry("plain", "dir", 0755, 0));
        share.file("pub/f", "f");

        ShareFollower follower = share.follower(target, false, out, refused);
        assertThat(follower.once().ok()).as(console()).isTrue();
        assertThat(mode(target.resolve("pub"))).as(console()).isEqualTo(01777);
        assertThat(mode(target.resolve("plain"))).isEqualTo(0755);
        String first = console();
        assertThat(follower.once().ok()).isTrue();

        assertThat(mode(target.resolve("pub"))).isEqualTo(01777);
        assertThat(console().substring(first.length())).as(console()).contains("0 files need synchronization");
    }

    private static String entry(String path, String type, int mode, int size) {
        return "{\"path\":\"" + path + "\",\"type\":\"" + type + "\",\"size\":" + size + ",\"mtime\":2000000000000,\"mode\":" + mode + "}";
    }

    private static int mode(Path path) throws IOException {
        return (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
    }

    /** What the follower keeps as versions of what it replaced. */
    private List<String> versions() throws IOException {
        Path area = target.resolve(LocalMirror.STATE).resolve("versions");
        if (!Files.exists(area)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(area)) {
            return walk.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).map(Path::toString).sorted().toList();
        }
    }

    private String console() {
        return out.toString(StandardCharsets.UTF_8);
    }
}
