package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.TestTrees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code caravan unpack} into a destination that already holds the parcel's folder merges like
 * {@code tar -x}: files of the archive replace theirs, a file the user added stays; the whole-tree
 * swap is still there as {@code --on-conflict replace}.
 */
class UnpackMergesLikeTarIT {

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    @Test
    void aFileTheUserAddedSurvivesAnUnpackIntoTheSameFolder() throws Exception {
        Path data = Files.createDirectories(dir.resolve("src/my_data/sub")).getParent();
        TestTrees.write(data.resolve("a.txt"), "new a\n");
        TestTrees.write(data.resolve("sub/b.txt"), "new b\n");
        run(0, "pack", dir.resolve("src/my_data").toString(), "--out", dir.resolve("parts/backup").toString(), "-q");
        Path restored = Files.createDirectories(dir.resolve("restored/my_data/sub")).getParent();
        TestTrees.write(restored.resolve("a.txt"), "old a\n");
        TestTrees.write(restored.resolve("mine.txt"), "added by the user\n");
        TestTrees.write(restored.resolve("sub/notes.txt"), "also mine\n");

        run(0, "unpack", dir.resolve("parts/backup").toString(), dir.resolve("restored").toString(), "-q");
        assertThat(restored.resolve("a.txt")).hasContent("new a");
        assertThat(restored.resolve("sub/b.txt")).hasContent("new b");
        assertThat(restored.resolve("mine.txt")).hasContent("added by the user");
        assertThat(restored.resolve("sub/notes.txt")).hasContent("also mine");
        assertThat(E2e.visibleEntries(dir.resolve("restored"))).containsExactly("my_data");
        try (var hidden = Files.list(dir.resolve("restored"))) {
            assertThat(hidden.map(p -> p.getFileName().toString())).as("no staging folder left, the replaced a.txt kept")
                    .containsExactlyInAnyOrder("my_data", ".caravan");
        }
        assertThat(TestTrees.keptVersions(dir.resolve("restored"), "my_data/a.txt")).containsExactly("old a\n");

        run(0, "unpack", dir.resolve("parts/backup").toString(), dir.resolve("restored").toString(), "-q",
                "--on-conflict", "replace");
        assertThat(restored.resolve("mine.txt")).as("replace swaps the whole tree").doesNotExist();
        assertThat(restored.resolve("a.txt")).hasContent("new a");
        assertThat(TestTrees.keptVersions(dir.resolve("restored"), "my_data/mine.txt")).as("the tree it replaced is kept")
                .containsExactly("added by the user\n");
    }

    private void run(int expectedExit, String... args) throws Exception {
        CaravanProcess process = processes.start(dir, args[0], args);
        assertThat(process.awaitExit(Duration.ofSeconds(60))).as("%s:%n%s", String.join(" ", args), process.log())
                .isEqualTo(expectedExit);
    }
}
