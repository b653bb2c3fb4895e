package io.caravan.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * {@link TreeDiff}: incremental compares type, size, mtime (to the millisecond where both sides keep
 * it, else whole seconds), mode and link target;
 * checksum compares content; full sends everything; moved files and folders become renames;
 * deletions are top-most only; parents of changed entries get their metadata re-sent.
 */
class TreeDiffTest {

    private static final Set<String> NONE = Set.of();

    @Test
    void incrementalSendsWhatDiffersAndDeletesTopMost() {
        Map<String, SyncEntry> local = tree(dir("d", 5_000), file("d/same", 10, 7_000), file("d/bigger", 11, 7_000),
                file("d/newer", 10, 9_000), file("d/sub-second", 10, 7_999), file("d/same-second", 10, 7_900), file("new", 1, 1_000),
                link("l", "d/same"));
        Map<String, SyncEntry> remote = tree(dir("d", 5_000), file("d/same", 10, 7_000), file("d/bigger", 10, 7_000),
                file("d/newer", 10, 8_000), file("d/sub-second", 10, 7_000), file("d/same-second", 10, 7_100), link("l", "elsewhere"),
                dir("gone", 1), file("gone/a", 1, 1), file("gone/b", 2, 1));

        SyncPlan plan = new TreeDiff(SyncMode.INCREMENTAL, false, e -> null).plan(local, remote, NONE, NONE);

        assertThat(plan.send()).extracting(SyncEntry::path).containsExactly("d/bigger", "d/newer", "d/same-second", "l", "new");
        assertThat(plan.created()).containsExactly("new");
        assertThat(plan.deletes()).containsExactly("gone");
        assertThat(plan.dirs()).extracting(SyncEntry::path).containsExactly("d");
        assertThat(plan.renames()).isEmpty();
        assertThat(plan.unchanged()).isEqualTo(2);
    }

    @Test
    void checksumComparesContentAndFullSendsEverything() {
        Map<String, SyncEntry> local = tree(file("a", 10, 7_000), file("b", 10, 7_000));
        Map<String, SyncEntry> remote = tree(file("a", 10, 7_000, "aaa"), file("b", 10, 7_000, "bbb"));

        SyncPlan checksum = new TreeDiff(SyncMode.INCREMENTAL, true, e -> e.path().equals("a") ? "aaa" : "changed")
                .plan(local, remote, NONE, NONE);
        SyncPlan full = new TreeDiff(SyncMode.FULL, false, e -> null).plan(local, remote, NONE, NONE);
        SyncPlan forced = new TreeDiff(SyncMode.INCREMENTAL, false, e -> null).plan(local, remote, Set.of("a"), Set.of("b"));

        assertThat(checksum.send()).extracting(SyncEntry::path).containsExactly("b");
        assertThat(full.send()).extracting(SyncEntry::path).containsExactly("a", "b");
        assertThat(forced.send()).extracting(SyncEntry::path).as("a forced, b excluded").containsExactly("a");
    }

    @Test
    void movedFilesAndFoldersBecomeRenames() {
        Map<String, SyncEntry> local = tree(dir("new dir", 3_000), file("new dir/x", 5, 1_000), file("new dir/y", 6, 1_000),
                file("moved.bin", 20_000_000, 4_000), file("fresh", 20_000_000, 5_000));
        Map<String, SyncEntry> remote = tree(dir("old dir", 2_000), file("old dir/x", 5, 1_000), file("old dir/y", 6, 1_000),
                file("big.bin", 20_000_000, 4_000));

        SyncPlan plan = new TreeDiff(SyncMode.INCREMENTAL, false, e -> "sha-" + e.path()).plan(local, remote, NONE, NONE);

        assertThat(plan.renames()).containsExactly(new SyncPlan.Rename("old dir", "new dir", null),
                new SyncPlan.Rename("big.bin", "moved.bin", "sha-moved.bin"));
        assertThat(plan.send()).extracting(SyncEntry::path).containsExactly("fresh");
        assertThat(plan.deletes()).isEmpty();
        assertThat(plan.dirs()).extracting(SyncEntry::path).containsExactly("new dir");
    }

    @Test
    void lookAlikesThatCouldPairMoreThanOneWayAreNotRenames() {
        // two files gone with one key, one come: which one it is cannot be told
        Map<String, SyncEntry> local = tree(file("dst/a", 2, 1_000));
        Map<String, SyncEntry> remote = tree(file("src/a", 2, 1_000), file("dst/b", 2, 1_000));
        SyncPlan plan = new TreeDiff(SyncMode.INCREMENTAL, false, e -> null).plan(local, remote, NONE, NONE);
        assertThat(plan.renames()).isEmpty();
        assertThat(plan.send()).extracting(SyncEntry::path).containsExactly("dst/a");

        // one gone, two come with its key
        SyncPlan two = new TreeDiff(SyncMode.INCREMENTAL, false, e -> null)
                .plan(tree(file("x", 2, 1_000), file("y", 2, 1_000)), tree(file("w", 2, 1_000)), NONE, NONE);
        assertThat(two.renames()).isEmpty();

        // two folders with the same subtree gone, one come
        SyncPlan dirs = new TreeDiff(SyncMode.INCREMENTAL, false, e -> null).plan(tree(dir("n", 1), file("n/f", 2, 1_000)),
                tree(dir("o1", 1), file("o1/f", 2, 1_000), dir("o2", 1), file("o2/f", 2, 1_000)), NONE, NONE);
        assertThat(dirs.renames()).isEmpty();
    }

    /**
     * A folder moved while one of its files changed is no whole-folder match; its files share a size and an mtime
     * (a build's output), so no file matches one way only either. Where the side applying the plan proves each
     * rename by its SHA-256, the look-alikes are paired by the names they keep below the folders (the longest
     * shared tail of their paths, when one candidate has it alone): the unchanged files are renamed, the changed
     * one sent. Without that proof, none is paired.
     */
    @Test
    void aFolderMovedWithOneChangedFileRenamesTheRestWhenEveryRenameIsProved() {
        Map<String, SyncEntry> local = new TreeMap<>(tree(dir("new", 2_000), dir("new/sub", 2_000)));
        Map<String, SyncEntry> remote = new TreeMap<>(tree(dir("old", 1_000), dir("old/sub", 1_000)));
        for (int i = 0; i < 20; i++) {
            for (String folder : List.of("", "sub/")) {
                local.putAll(tree(file("new/" + folder + "f" + i, 100, 5_000)));
                remote.putAll(tree(file("old/" + folder + "f" + i, 100, 5_000)));
            }
        }
        local.putAll(tree(file("new/sub/f7", 101, 6_000))); // changed while it moved

        SyncPlan proved = new TreeDiff(SyncMode.INCREMENTAL, false, e -> "sha-" + e.path(), true).plan(local, remote, NONE, NONE);
        assertThat(proved.renames()).hasSize(39).contains(new SyncPlan.Rename("old/sub/f3", "new/sub/f3", "sha-new/sub/f3"),
                new SyncPlan.Rename("old/f7", "new/f7", "sha-new/f7"));
        assertThat(proved.renames()).allMatch(r -> r.from().substring(4).equals(r.to().substring(4)));
        assertThat(proved.send()).extracting(SyncEntry::path).containsExactly("new/sub/f7");
        assertThat(proved.deletes()).containsExactly("old");

        SyncPlan unproved = new TreeDiff(SyncMode.INCREMENTAL, false, e -> null).plan(local, remote, NONE, NONE);
        assertThat(unproved.renames()).isEmpty();
        assertThat(unproved.send()).hasSize(40);
    }

    @Test
    void reportedPairsAreRenamedFirstEvenAmongLookAlikes() {
        Map<String, SyncEntry> local = tree(file("dst/a", 2, 1_000));
        Map<String, SyncEntry> remote = tree(file("src/a", 2, 1_000), file("dst/b", 2, 1_000));
        SyncPlan plan = new TreeDiff(SyncMode.INCREMENTAL, false, e -> null)
                .plan(local, remote, NONE, NONE, Map.of("dst/a", "src/a"));
        assertThat(plan.renames()).containsExactly(new SyncPlan.Rename("src/a", "dst/a", null));
        assertThat(plan.deletes()).containsExactly("dst/b");
        assertThat(plan.send()).isEmpty();
    }

    private static Map<String, SyncEntry> tree(SyncEntry... entries) {
        Map<String, SyncEntry> map = new TreeMap<>();
        List.of(entries).forEach(e -> map.put(e.path(), e));
        return map;
    }

    private static SyncEntry file(String path, long size, long mtime) {
        return file(path, size, mtime, null);
    }

    private static SyncEntry file(String path, long size, long mtime, String sha256) {
        return new SyncEntry(path, SyncEntry.Type.FILE, size, mtime, 0644, null, sha256);
    }

    private static SyncEntry dir(String path, long mtime) {
        return new SyncEntry(path, SyncEntry.Type.DIR, 0, mtime, 0755, null, null);
    }

    private static SyncEntry link(String path, String target) {
        return new SyncEntry(path, SyncEntry.Type.LINK, 0, 0, 0777, target, null);
    }
}
