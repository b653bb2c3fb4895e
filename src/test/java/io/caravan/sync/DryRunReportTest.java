package io.caravan.sync;

import static io.caravan.sync.Trees.dir;
import static io.caravan.sync.Trees.file;
import static io.caravan.sync.Trees.tree;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link DryRunReport}: one line per entry a pass would create, change, rename or delete, folders
 * marked with a slash and deleted folders with what they hold, then the counts; a folder whose
 * metadata is only re-applied (a child changed) is not listed.
 */
class DryRunReportTest {

    @Test
    void listsEveryChangeThenTheCounts() {
        Map<String, SyncEntry> source = tree(dir("docs", 5_000), file("docs/a.txt", 10, 9_000), file("docs/new.txt", 3, 1_000),
                dir("fresh", 1_000), file("moved.bin", 500, 4_000), dir("same", 1_000), file("same/edited", 4, 9_000));
        Map<String, SyncEntry> mirror = tree(dir("docs", 1_000), file("docs/a.txt", 10, 7_000), file("big.bin", 500, 4_000),
                dir("old", 1_000), file("old/x", 1, 1_000), file("old/y", 2, 1_000), file("gone.txt", 7, 1_000),
                dir("same", 1_000), file("same/edited", 5, 1_000));
        SyncPlanner.Planned planned = new SyncPlanner(new TreeDiff(SyncMode.INCREMENTAL, false, e -> "sha"), PathFilter.NONE)
                .plan(source, mirror, Set.of(), Set.of());
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        DryRunReport.print(planned, "on the receiver", new SyncConsole(new PrintStream(out, true, StandardCharsets.UTF_8)));

        assertThat(out.toString(StandardCharsets.UTF_8).lines()).containsExactly(
                "Would rename: big.bin -> moved.bin",
                "Would delete: gone.txt",
                "Would delete: old/ (3 entries)",
                "Would change: docs/",
                "Would change: docs/a.txt",
                "Would create: docs/new.txt",
                "Would create: fresh/",
                "Would change: same/edited",
                "Dry run: 2 to create, 3 to change, 1 to rename, 2 to delete (4 entries); nothing was changed on the receiver");
    }
}
