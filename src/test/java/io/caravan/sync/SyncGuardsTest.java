package io.caravan.sync;

import static io.caravan.sync.PathFilter.Rule.exclude;
import static io.caravan.sync.Trees.dir;
import static io.caravan.sync.Trees.file;
import static io.caravan.sync.Trees.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link SyncGuards}: an empty source while the mirror holds entries is refused unless allowed; a
 * pass that deletes more entries than {@code maxDelete} is refused; each message says what was found,
 * that nothing changed, and how to allow it on the command line or in the properties.
 */
class SyncGuardsTest {

    private static final TreeDiff DIFF = new TreeDiff(SyncMode.INCREMENTAL, false, e -> null);
    private static final Map<String, SyncEntry> MIRROR = tree(dir("d", 1_000), file("d/a", 1, 1_000), file("d/b", 1, 1_000),
            file("c", 1, 1_000));

    @Test
    void anEmptySourceIsRefusedWhileTheMirrorHoldsEntries() {
        SyncPlanner.Planned planned = plan(tree(), MIRROR, PathFilter.NONE);

        assertThatThrownBy(() -> SyncGuards.DEFAULT.check("/data/x", "m", planned)).isInstanceOf(EmptySourceException.class)
                .hasMessage("source /data/x is empty but mirror 'm' holds 4 entries: nothing was changed;"
                        + " pass --allow-empty-source to mirror an empty folder");
        assertThatCode(() -> new SyncGuards(-1, true, SyncGuards.Advice.COMMAND_LINE).check("/data/x", "m", planned))
                .doesNotThrowAnyException();
        assertThatCode(() -> SyncGuards.DEFAULT.check("/data/x", "m", plan(tree(), tree(), PathFilter.NONE)))
                .as("both empty").doesNotThrowAnyException();
    }

    @Test
    void aSourceOfEmptyFoldersAloneCountsAsEmptyWhileTheMirrorHoldsFiles() {
        // an empty file system mounted where the source was: nothing but its empty lost+found
        SyncPlanner.Planned planned = plan(tree(dir("lost+found", 1_000)), MIRROR, PathFilter.NONE);

        assertThatThrownBy(() -> SyncGuards.DEFAULT.check("/data/x", "m", planned)).isInstanceOf(EmptySourceException.class)
                .hasMessage("source /data/x holds no file or link (only 1 empty folder) but mirror 'm' holds 4 entries:"
                        + " nothing was changed; pass --allow-empty-source to mirror an empty folder");
        assertThatCode(() -> new SyncGuards(-1, true, SyncGuards.Advice.COMMAND_LINE).check("/data/x", "m", planned))
                .doesNotThrowAnyException();
        assertThatCode(() -> SyncGuards.DEFAULT.check("/data/x", "m", plan(tree(dir("lost+found", 1_000)),
                tree(dir("old", 1_000)), PathFilter.NONE))).as("a mirror of folders alone: nothing of value to lose")
                .doesNotThrowAnyException();
    }

    @Test
    void aSourceThatOnlyHoldsExcludedEntriesCountsAsEmpty() {
        SyncPlanner.Planned planned = plan(tree(file("a.tmp", 1, 1_000)), MIRROR, PathFilter.of(List.of(exclude("*.tmp"))));

        assertThatThrownBy(() -> new SyncGuards(-1, false, SyncGuards.Advice.PROPERTIES).check("/data/x", "m", planned))
                .isInstanceOf(EmptySourceException.class)
                .hasMessage("source /data/x is empty (after the exclude rules) but mirror 'm' holds 4 entries: nothing was"
                        + " changed; set caravan.sync.allow-empty-source=true to mirror an empty folder");
    }

    @Test
    void moreDeletionsThanTheLimitAreRefused() {
        SyncPlanner.Planned planned = plan(tree(file("new", 99, 1_000)), MIRROR, PathFilter.NONE);

        assertThatThrownBy(() -> new SyncGuards(3, false, SyncGuards.Advice.COMMAND_LINE).check("/data/x", "m", planned))
                .isInstanceOf(TooManyDeletesException.class)
                .hasMessage("this pass would delete 4 entries of mirror 'm' (c, d), more than the limit of 3: nothing was"
                        + " changed; check the source /data/x, or pass --max-delete 4 to allow it");
        assertThatThrownBy(() -> new SyncGuards(0, false, SyncGuards.Advice.PROPERTIES).check("/data/x", "m", planned))
                .hasMessageEndingWith("set caravan.sync.max-delete=4 to allow it");
        assertThatCode(() -> new SyncGuards(4, false, SyncGuards.Advice.COMMAND_LINE).check("/data/x", "m", planned))
                .doesNotThrowAnyException();
        assertThatCode(() -> SyncGuards.DEFAULT.check("/data/x", "m", planned)).as("no limit").doesNotThrowAnyException();
    }

    @Test
    void theRefusalNamesAtMostFiveOfTheDeletedPaths() {
        Map<String, SyncEntry> mirror = tree(file("1", 1, 1), file("2", 1, 1), file("3", 1, 1), file("4", 1, 1),
                file("5", 1, 1), file("6", 1, 1), file("7", 1, 1));
        SyncPlanner.Planned planned = plan(tree(file("new", 99, 1_000)), mirror, PathFilter.NONE);

        assertThatThrownBy(() -> new SyncGuards(1, false, SyncGuards.Advice.COMMAND_LINE).check("/s", "m", planned))
                .hasMessageContaining("would delete 7 entries of mirror 'm' (1, 2, 3, 4, 5 and 2 more)");
        assertThat(planned.plan().deletes()).hasSize(7);
    }

    private static SyncPlanner.Planned plan(Map<String, SyncEntry> source, Map<String, SyncEntry> mirror, PathFilter filter) {
        return new SyncPlanner(DIFF, filter).plan(source, mirror, Set.of(), Set.of());
    }
}
