package io.caravan.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.sync.SyncEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The change log of a share: numbered from 1, kept to its bound and compacted on disk, numbered on
 * after a reopen, a cursor outside what it keeps refused, waiters answered by the next record, and
 * the tree changes found as renames, deletions and creations.
 */
class ShareLogTest {

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void keepsTheLastNAndCompactsTheFile() throws Exception {
        ShareLog log = ShareLog.open("site", dir, 3);
        for (int i = 1; i <= 10; i++) {
            log.record(Map.of(), List.of(create("f" + i)));
        }
        assertThat(log.latest()).isEqualTo(10);
        assertThat(log.after(7)).extracting(ShareEvent::seq).containsExactly(8L, 9L, 10L);
        assertThatThrownBy(() -> log.after(6)).isInstanceOf(ShareLog.CursorExpiredException.class)
                .hasMessageContaining("keeps changes 8 to 10");
        assertThatThrownBy(() -> log.after(11)).isInstanceOf(ShareLog.CursorExpiredException.class);
        assertThat(Files.readAllLines(dir.resolve(ShareLog.CHANGES)).size()).isLessThanOrEqualTo(6);

        log.save();
        ShareLog reopened = ShareLog.open("site", dir, 3);
        assertThat(reopened.latest()).isEqualTo(10);
        assertThat(reopened.tree()).isNotNull();
        assertThat(reopened.record(Map.of(), List.of(create("g"))).get(0).seq()).isEqualTo(11);
    }

    @Test
    void aStartWithoutASavedTreeIsAReset() throws Exception {
        Path site = Files.createDirectories(dir.resolve("site"));
        Files.writeString(site.resolve("a.txt"), "a");
        ShareLog log = ShareLog.open("site", dir.resolve("log"), 10);
        log.record(Map.of(), List.of(create("x")));
        // no save: as after a crash
        ShareLog reopened = ShareLog.open("site", dir.resolve("log"), 10);
        List<String> printed = new java.util.ArrayList<>();
        Share share = new Share("site", site, reopened, java.time.Duration.ofMillis(100), java.time.Duration.ofMinutes(1),
                e -> printed.add(e.type().name()));
        share.start();
        share.close();
        assertThat(printed).containsExactly("RESET");
        assertThat(reopened.after(1)).extracting(ShareEvent::type).containsExactly(ShareEvent.Type.RESET);
    }

    @Test
    void aWaiterIsAnsweredByTheNextRecord() throws Exception {
        ShareLog log = ShareLog.open("site", dir, 10);
        CompletableFuture<List<ShareEvent>> waiting = log.await(0);
        assertThat(waiting).isNotDone();
        log.record(Map.of(), List.of(create("a")));
        assertThat(waiting.get()).extracting(ShareEvent::path).containsExactly("a");
    }

    @Test
    void treeChangesAreRenamesDeletionsAndCreations() {
        Map<String, SyncEntry> before = new TreeMap<>(Map.of(
                "dir", dir("dir"), "dir/x", file("dir/x", 5), "big", file("big", 1000), "gone", file("gone", 7)));
        Map<String, SyncEntry> after = new TreeMap<>(Map.of(
                "moved", dir("moved"), "moved/x", file("moved/x", 5), "big2", file("big2", 1000),
                "new", file("new", 3)));
        List<ShareEvent> events = TreeChanges.between(before, after, java.util.Set.of(), Map.of("dir/x", 1L, "big", 2L),
                Map.of("moved/x", 1L, "big2", 2L), e -> "sha of " + e.path());
        assertThat(events).extracting(e -> e.type() + " " + (e.from() == null ? "" : e.from() + " -> ") + e.path())
                .as("a new folder before the files renamed into it: a follower that reads the log in parts never sees them"
                        + " without their folder").containsExactly("CREATE moved", "RENAME dir/x -> moved/x", "RENAME big -> big2",
                        "DELETE dir", "DELETE gone", "CREATE new");
    }

    /**
     * A folder rebuilt with the same names, sizes, modes and mtimes (new inodes), a file that took a freed inode but
     * another millisecond, and look-alikes whose inodes are not known are no renames: followers would move their old
     * bytes to the new name and never fetch the new ones.
     */
    @Test
    void lookAlikesNotProvedByInodeAndMillisecondAreDeletionsAndCreations() {
        Map<String, SyncEntry> before = new TreeMap<>(Map.of("release-1", dir("release-1"), "release-1/app.js", file("release-1/app.js", 5),
                "a", file("a", 4)));
        SyncEntry reused = new SyncEntry("b", SyncEntry.Type.FILE, 4, 1_700_000_000_001L, 0644, null, null);
        Map<String, SyncEntry> after = new TreeMap<>(Map.of("release-2", dir("release-2"), "release-2/app.js", file("release-2/app.js", 5),
                "b", reused));

        assertThat(TreeChanges.between(before, after, java.util.Set.of(), Map.of("release-1/app.js", 1L, "a", 2L),
                Map.of("release-2/app.js", 3L, "b", 2L), e -> "sha of " + e.path()))
                .extracting(e -> e.type() + " " + e.path())
                .containsExactly("CREATE release-2", "DELETE release-1/app.js", "DELETE a", "DELETE release-1",
                        "CREATE release-2/app.js", "CREATE b");
        assertThat(TreeChanges.between(before, after, java.util.Set.of())).extracting(ShareEvent::type)
                .doesNotContain(ShareEvent.Type.RENAME);
    }

    @Test
    void aPairWithAnotherInodeIsNotARename() {
        Map<String, SyncEntry> before = new TreeMap<>(Map.of("a", file("a", 4)));
        Map<String, SyncEntry> after = new TreeMap<>(Map.of("b", file("b", 4)));
        assertThat(TreeChanges.between(before, after, java.util.Set.of(), Map.of("a", 1L), Map.of("b", 2L), e -> "sha of b"))
                .extracting(e -> e.type() + " " + e.path()).containsExactly("DELETE a", "CREATE b");
        assertThat(TreeChanges.between(before, after, java.util.Set.of(), Map.of("a", 1L), Map.of("b", 1L), e -> "sha of b"))
                .extracting(e -> e.type() + " " + e.path() + " " + e.entry().sha256()).containsExactly("RENAME b sha of b");
        ShareEvent renamed = TreeChanges.between(before, after, java.util.Set.of(), Map.of("a", 1L), Map.of("b", 1L), e -> "sha of b").get(0);
        assertThat(ShareEvent.fromJson(JSON.valueToTree(renamed.toJson())).entry().sha256()).as("the SHA-256 travels with the event")
                .isEqualTo("sha of b");
        assertThat(TreeChanges.between(before, after, java.util.Set.of(), Map.of("a", 1L), Map.of("b", 1L), e -> null))
                .as("a file that cannot be hashed moves no follower's file").extracting(e -> e.type() + " " + e.path())
                .containsExactly("DELETE a", "CREATE b");
    }

    private static ShareEvent create(String path) {
        return new ShareEvent(0, ShareEvent.Type.CREATE, path, null, file(path, 1));
    }

    private static SyncEntry file(String path, long size) {
        return new SyncEntry(path, SyncEntry.Type.FILE, size, 1_700_000_000_000L, 0644, null, null);
    }

    private static SyncEntry dir(String path) {
        return new SyncEntry(path, SyncEntry.Type.DIR, 0, 1_700_000_000_000L, 0755, null, null);
    }
}
