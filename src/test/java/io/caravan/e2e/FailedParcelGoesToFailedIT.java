package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caravan.TestTrees;
import io.caravan.util.TreeSnapshot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A parcel the receiver refuses (larger than its per-session limit) ends in {@code outbox/.failed/}
 * with a readable {@code <name>.error.txt}, a file parcel as well as a folder parcel with its
 * marker, and the next parcel still goes through.
 */
class FailedParcelGoesToFailedIT {

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    @Test
    void aRefusedParcelIsSetAsideWithItsReasonAndTheNextOneArrives() throws Exception {
        Path outbox = dir.resolve("outbox");
        Path staging = Files.createDirectories(dir.resolve("staging"));
        int port = E2e.freePort();
        processes.start(dir, "run", E2e.run(dir, port, "-Dcaravan.receiver.max-session-bytes=1MiB",
                "-Dcaravan.sender.retries=1")).awaitHttpReady(port);

        Path big = staging.resolve("too big.bin");
        TestTrees.random(big, 3_000_000, 3);
        TreeSnapshot bigSource = TreeSnapshot.of(big);
        E2e.drop(big, outbox);
        Path failed = outbox.resolve(".failed");
        Path note = failed.resolve("too big.bin.error.txt");
        await("the refused parcel in outbox/.failed").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> Files.exists(failed.resolve("too big.bin")) && Files.exists(note));
        E2e.assertSameTree(bigSource, failed.resolve("too big.bin"));
        String reason = Files.readString(note, StandardCharsets.UTF_8);
        System.out.println("error note:\n" + reason);
        assertThat(reason).contains("too big.bin").contains("reason:").containsIgnoringCase("413");

        Path folder = Files.createDirectories(staging.resolve("big folder"));
        TestTrees.random(folder.resolve("inside.bin"), 3_000_000, 4);
        TreeSnapshot folderSource = TreeSnapshot.of(folder);
        E2e.drop(folder, outbox);
        Files.createFile(outbox.resolve("big folder.ready"));
        Path folderNote = failed.resolve("big folder.error.txt");
        await("the refused folder in outbox/.failed").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> Files.exists(failed.resolve("big folder.ready")) && Files.exists(folderNote));
        E2e.assertSameTree(folderSource, failed.resolve("big folder"));
        assertThat(Files.readString(folderNote, StandardCharsets.UTF_8)).contains("big folder").containsIgnoringCase("413");

        Path small = staging.resolve("small.txt");
        TestTrees.write(small, "this one fits\n");
        TreeSnapshot smallSource = TreeSnapshot.of(small);
        E2e.drop(small, outbox);
        await("the next parcel in the inbox").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> E2e.sameTree(smallSource, dir.resolve("inbox/small.txt")));
        await("its source in outbox/.sent").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> Files.exists(outbox.resolve(".sent/small.txt")));
        assertThat(dir.resolve("inbox/too big.bin")).doesNotExist();
        assertThat(E2e.visibleEntries(outbox)).isEmpty();
    }
}
