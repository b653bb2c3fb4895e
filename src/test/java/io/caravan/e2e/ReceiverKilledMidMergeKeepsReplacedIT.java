package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a receiver while a merge publish replaces thousands of files, then a restart on the same inbox:
 * every replaced file's old content is still there, at its place or in the versions area.
 */
class ReceiverKilledMidMergeKeepsReplacedIT {

    private static final int FILES = 3000;
    private static final int FOLDERS = 30;

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 40, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void everyOldContentSurvivesAKillInTheMiddleOfAMerge() throws Exception {
        Path source = tree("source", "A");
        Path next = tree("next", "B");
        Path inbox = dir.resolve("inbox");
        int port = E2e.freePort();
        CaravanProcess serve = processes.start(dir, "serve", E2e.serve(port, inbox)).awaitHttpReady(port);
        CaravanProcess first = processes.start(dir, "send-old", send(source, port, "replace"));
        assertThat(first.awaitExit(Duration.ofSeconds(20))).as(first.log()).isZero();

        // the same source folder sent again (so to the same place), each of its files changed
        Files.move(source, dir.resolve("previous"));
        Files.move(next, source);
        CaravanProcess merge = processes.start(dir, "send-new", send(source, port, "merge"));
        List<Path> sample = IntStream.range(0, FILES).filter(i -> i % 53 == 0).mapToObj(i -> file(inbox.resolve("site"), i)).toList();
        while (sample.stream().noneMatch(ReceiverKilledMidMergeKeepsReplacedIT::isNew)) {
            assertThat(merge.isAlive()).as("the merge is still running when its first file appears").isTrue();
            Thread.sleep(5);
        }
        serve.kill(); // in the middle of the merge: some files are new, most are not yet
        merge.kill();
        assertThat(sample.stream().allMatch(ReceiverKilledMidMergeKeepsReplacedIT::isNew)).as("killed before the merge ended").isFalse();

        processes.start(dir, "serve-again", E2e.serve(port, inbox)).awaitHttpReady(port).kill(); // a start empties staging

        Set<String> found = contents(inbox.resolve("site"), inbox.resolve(".caravan/versions"));
        List<Integer> lost = IntStream.range(0, FILES).filter(i -> !found.contains(content("A", i))).boxed().toList();
        assertThat(lost).as("files whose old content is neither at its place nor a version").isEmpty();
    }

    private String[] send(Path source, int port, String onConflict) {
        return new String[] {"send", source.toString(), "site", "--to", "http://127.0.0.1:" + port, "--codec", "none",
                "--on-conflict", onConflict, "--state-dir", dir.resolve("state").toString(), "-q"};
    }

    private Path tree(String name, String tag) throws IOException {
        Path root = dir.resolve(name);
        for (int i = 0; i < FILES; i++) {
            Path file = file(root, i);
            Files.createDirectories(file.getParent());
            Files.writeString(file, content(tag, i));
        }
        return root;
    }

    private static Path file(Path root, int i) {
        return root.resolve("d" + (i % FOLDERS)).resolve("f" + i + ".txt");
    }

    private static String content(String tag, int i) {
        return tag + i + "\n";
    }

    private static boolean isNew(Path file) {
        try {
            return Files.readString(file).startsWith("B");
        } catch (IOException e) {
            return false; // not there yet, or being swapped
        }
    }

    private static Set<String> contents(Path... roots) throws IOException {
        Set<String> found = new HashSet<>();
        for (Path root : roots) {
            if (!Files.exists(root)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(root)) {
                files.filter(Files::isRegularFile).forEach(file -> {
                    try {
                        found.add(Files.readString(file));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
        }
        return found;
    }
}
