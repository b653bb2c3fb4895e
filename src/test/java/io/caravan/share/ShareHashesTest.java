package io.caravan.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caravan.sync.SyncEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SHA-256s a share keeps for checksum listings: a file unchanged (same entry, inode and ctime) is not read again,
 * and the hashes of files gone from the tree are forgotten at the next scan, so they never outgrow
 * the tree.
 */
class ShareHashesTest {

    @TempDir
    Path dir;

    @Test
    void keepsTheHashesOfTheTreeOnly() throws Exception {
        Path site = Files.createDirectories(dir.resolve("site"));
        Path a = Files.writeString(site.resolve("a.txt"), "abc");
        Files.writeString(site.resolve("b.txt"), "b");
        try (Share share = new Share("site", site, ShareLog.open("site", dir.resolve("log"), 100), Duration.ofMillis(100),
                Duration.ofMinutes(10), e -> { })) {
            share.start();
            for (SyncEntry entry : share.log().listing().entries().values()) {
                share.sha256(entry);
            }
            assertThat(share.hashesKept()).isEqualTo(2);

            SyncEntry entryOfA = share.log().listing().entries().get("a.txt");
            FileTime mtime = Files.getLastModifiedTime(a);
            assertThat(share.sha256(entryOfA)).as("kept: not read again")
                    .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
            Files.writeString(a, "xyz"); // same size, mtime put back: the same entry, but a new ctime, so read again
            Files.setLastModifiedTime(a, mtime);
            assertThat(share.sha256(entryOfA)).isEqualTo("3608bca1e44ea6c4d268eb6db02260269892c0b42b86bbf1e77a6fa16c3c9282");

            Files.delete(site.resolve("b.txt"));
            await().atMost(Duration.ofSeconds(10)).until(() -> !share.log().listing().entries().containsKey("b.txt"));
            assertThat(share.hashesKept()).isEqualTo(1);
        }
    }

    /**
     * A folder of the share swapped for a link to a folder outside it, after the scan listed its file: the checksum
     * listing hashes nothing through the link (it sent the SHA-256 of /etc/passwd to a follower so, before).
     */
    @Test
    void aFolderSwappedForALinkIsNotHashedThrough() throws Exception {
        Path site = Files.createDirectories(dir.resolve("site"));
        Files.writeString(Files.createDirectories(site.resolve("d")).resolve("passwd"), "in the share");
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(outside.resolve("passwd"), "a secret outside the share");
        try (Share share = new Share("site", site, ShareLog.open("site", dir.resolve("log"), 100), Duration.ofMinutes(10),
                Duration.ofMinutes(10), e -> { })) {
            share.start();
            SyncEntry listed = share.log().listing().entries().get("d/passwd");
            assertThat(listed).isNotNull();
            Files.move(site.resolve("d"), dir.resolve("d.real"));
            Files.createSymbolicLink(site.resolve("d"), outside);

            assertThat(share.sha256(listed)).as("no hash read through the link").isNull();
        }
    }
}
