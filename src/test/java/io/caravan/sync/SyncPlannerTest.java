package io.caravan.sync;

import static io.caravan.sync.PathFilter.Rule.exclude;
import static io.caravan.sync.Trees.dir;
import static io.caravan.sync.Trees.file;
import static io.caravan.sync.Trees.tree;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link SyncPlanner}: excluded entries are neither sent nor deleted, on either side; a mirror
 * folder that holds excluded entries is kept (its other entries are deleted one by one); the plan
 * counts the entries its deletions remove, folder contents included.
 */
class SyncPlannerTest {

    private static final TreeDiff DIFF = new TreeDiff(SyncMode.INCREMENTAL, false, e -> null);
    private static final PathFilter TMP_AND_CACHE = PathFilter.of(List.of(exclude("*.tmp"), exclude("cache/")));

    @Test
    void excludedEntriesAreNeitherSentNorDeleted() {
        Map<String, SyncEntry> source = tree(file("a.txt", 7, 1_000), file("b.tmp", 1, 1_000), dir("cache", 1_000),
                file("cache/x", 1, 1_000));
        Map<String, SyncEntry> mirror = tree(file("old.tmp", 1, 1_000), file("gone.txt", 1, 1_000), dir("cache", 1_000),
                file("cache/y", 1, 1_000));

        SyncPlanner.Planned planned = new SyncPlanner(DIFF, TMP_AND_CACHE).plan(source, mirror, Set.of(), Set.of());

        assertThat(planned.plan().send()).extracting(SyncEntry::path).containsExactly("a.txt");
        assertThat(planned.plan().deletes()).containsExactly("gone.txt");
        assertThat(planned.source()).containsOnlyKeys("a.txt");
        assertThat(planned.mirror()).containsOnlyKeys("gone.txt");
        assertThat(planned.filtered()).isTrue();
    }

    @Test
    void aMirrorFolderHoldingExcludedEntriesIsKept() {
        Map<String, SyncEntry> source = tree(file("other.txt", 1, 1_000), file("d", 5, 1_000));
        Map<String, SyncEntry> mirror = tree(file("other.txt", 1, 1_000), dir("gone", 1_000), file("gone/x.txt", 1, 1_000),
                dir("gone/sub", 1_000), file("gone/sub/keep.tmp", 1, 1_000), file("gone/y.txt", 1, 1_000),
                dir("d", 1_000), file("d/keep.tmp", 1, 1_000));

        SyncPlanner.Planned planned = new SyncPlanner(DIFF, TMP_AND_CACHE).plan(source, mirror, Set.of(), Set.of());

        assertThat(planned.plan().deletes()).as("the folders holding keep.tmp stay").containsExactly("gone/x.txt", "gone/y.txt");
        assertThat(planned.plan().send()).as("a file may not replace a folder that holds excluded entries").isEmpty();
        assertThat(planned.deletedEntries()).isEqualTo(2);
    }

    @Test
    void deletedEntriesCountWhatIsInsideDeletedFolders() {
        Map<String, SyncEntry> source = tree(file("z", 1, 1_000), file("fresh", 9, 9_000));
        Map<String, SyncEntry> mirror = tree(dir("g", 1_000), file("g/a", 1, 1_000), dir("g/h", 1_000), file("g/h/b", 1, 1_000),
                file("lone", 1, 1_000), file("z", 1, 1_000));

        SyncPlanner.Planned planned = new SyncPlanner(DIFF, PathFilter.NONE).plan(source, mirror, Set.of(), Set.of());

        assertThat(planned.plan().deletes()).containsExactly("g", "lone");
        assertThat(planned.deletedEntries()).isEqualTo(5);
        assertThat(planned.filtered()).isFalse();
    }
}
