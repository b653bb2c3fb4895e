package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caravan.TestTrees;
import io.caravan.util.TreeSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code caravan run} (sender and receiver in one process): what is dropped into the outbox appears,
 * identical, in the inbox, and the source moves to {@code outbox/.sent/}. A file; a folder with a
 * done-marker ({@code <name>.ready}); a folder without one, sent once it has been quiet for the
 * period; Chinese, Persian and Korean names with spaces, inside and as parcel names.
 */
class DropFolderToInboxIT {

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    @Test
    void dropsArriveIdenticalAndSourcesMoveToSent() throws Exception {
        Path outbox = dir.resolve("outbox");
        Path inbox = dir.resolve("inbox");
        Path staging = Files.createDirectories(dir.resolve("staging"));
        int port = E2e.freePort();
        CaravanProcess run = processes.start(dir, "run", E2e.run(dir, port)).awaitHttpReady(port);

        Path file = staging.resolve("한국어 보고서.txt");
        TestTrees.write(file, "분기 보고서\n".repeat(2000));
        Path marked = TestTrees.fidelityTree(staging, "中文 资料");
        Path quiet = Files.createDirectories(staging.resolve("پوشه فارسی"));
        TestTrees.write(quiet.resolve("یادداشت.txt"), "سلام دنیا\n".repeat(500));
        TestTrees.random(Files.createDirectories(quiet.resolve("زیرپوشه")).resolve("داده ها.bin"), 150_000, 7);
        TreeSnapshot fileSource = TreeSnapshot.of(file);
        TreeSnapshot markedSource = TreeSnapshot.of(marked);
        TreeSnapshot quietSource = TreeSnapshot.of(quiet);

        E2e.drop(file, outbox);
        E2e.drop(marked, outbox);
        Files.createFile(outbox.resolve("中文 资料.ready"));
        E2e.drop(quiet, outbox);

        await("the three parcels in the inbox").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> E2e.sameTree(fileSource, inbox.resolve("한국어 보고서.txt"))
                        && E2e.sameTree(markedSource, inbox.resolve("中文 资料"))
                        && E2e.sameTree(quietSource, inbox.resolve("پوشه فارسی")));
        await("the sources in outbox/.sent").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> E2e.visibleEntries(outbox).isEmpty());

        Path sent = outbox.resolve(".sent");
        E2e.assertSameTree(fileSource, sent.resolve("한국어 보고서.txt"));
        E2e.assertSameTree(markedSource, sent.resolve("中文 资料"));
        E2e.assertSameTree(quietSource, sent.resolve("پوشه فارسی"));
        assertThat(sent.resolve("中文 资料.ready")).exists();
        assertThat(sent.resolve("پوشه فارسی.ready")).as("the marker written for the quiet folder").exists();
        assertThat(outbox.resolve(".failed")).doesNotExist();
        String log = run.log();
        assertThat(log).contains("folder 'پوشه فارسی' has been quiet");
        assertThat(log).as("the marked folder went by its marker, not the quiet period")
                .doesNotContain("folder '中文 资料' has been quiet");
        assertThat(E2e.visibleEntries(inbox)).containsExactlyInAnyOrder("한국어 보고서.txt", "中文 资料", "پوشه فارسی");
    }
}
