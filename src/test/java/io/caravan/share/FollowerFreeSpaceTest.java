package io.caravan.share;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.sync.LocalMirror;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A follower keeps a floor of free space on its disk (as {@code caravan get --min-free-space}): a
 * file whose listed size would leave less than the floor free is not fetched, said so with what to
 * do, and the old file stays whole; the other files are fetched.
 */
class FollowerFreeSpaceTest {

    final FakeShare share = new FakeShare();
    Path target;

    FollowerFreeSpaceTest() throws java.io.IOException {
    }

    @BeforeEach
    void oldFile(@TempDir Path tmp) throws Exception {
        target = Files.writeString(Files.createDirectories(tmp.resolve("mirror")).resolve("huge.bin"), "OLD CONTENT").getParent();
    }

    @AfterEach
    void closeShare() {
        share.close();
    }

    @Test
    void aFileListedLargerThanTheDiskIsRefusedAndTheRestFetched() throws Exception {
        long tenTib = 10L << 40;
        share.listing(1, "{\"path\":\"huge.bin\",\"type\":\"file\",\"size\":" + tenTib + ",\"mtime\":2000000000000,\"mode\":420}",
                FakeShare.file("small.txt", 5, 2_000_000_000_000L));
        share.file("huge.bin", "NEW CONTENT THAT NEVER ENDS");
        share.file("small.txt", "small");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<String> refused = new CopyOnWriteArrayList<>();

        boolean ok = share.follower(target, false, out, refused).once().ok();

        String console = out.toString(StandardCharsets.UTF_8);
        assertThat(ok).as(console).isFalse();
        assertThat(console).contains("huge.bin: not fetched: its 10.0 TiB would leave less than 256.0 MiB free on the disk of "
                + target + "; free space or lower --min-free-space");
        assertThat(target.resolve("huge.bin")).as(console).hasContent("OLD CONTENT");
        assertThat(target.resolve("small.txt")).as(console).hasContent("small");
        try (Stream<Path> state = Files.walk(target.resolve(LocalMirror.STATE))) {
            assertThat(state.map(Path::toString)).noneMatch(p -> p.contains(".caravan-staging-"));
        }
    }

    @Test
    void theFloorIsTheFollowersToSet() throws Exception {
        share.listing(1, FakeShare.file("huge.bin", 3, 2_000_000_000_000L), FakeShare.file("small.txt", 5, 2_000_000_000_000L));
        share.file("huge.bin", "NEW");
        share.file("small.txt", "small");
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        boolean ok = share.follower(target, false, out, new CopyOnWriteArrayList<>(), Long.MAX_VALUE / 2).once().ok();

        String console = out.toString(StandardCharsets.UTF_8);
        assertThat(ok).as(console).isFalse();
        assertThat(console).contains("Failed: huge.bin: not fetched: its 3 B would leave less than ")
                .contains("Failed: small.txt: not fetched: its 5 B would leave less than ")
                .contains("; free space or lower --min-free-space");
        assertThat(target.resolve("huge.bin")).as(console).hasContent("OLD CONTENT");
        assertThat(target.resolve("small.txt")).as(console).doesNotExist();
        assertThat(share.served).as("nothing asked of the share").hasValue(0);
    }
}
