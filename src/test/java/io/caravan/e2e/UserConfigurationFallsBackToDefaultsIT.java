package io.caravan.e2e;

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
 * A user's {@code application.properties} that sets only a few keys is enough: every other key
 * comes from the packaged defaults, the user's keys win over them, and {@code -D} wins over the
 * user's file. The file is found in the working folder, or given with {@code caravan run --config}.
 */
class UserConfigurationFallsBackToDefaultsIT {

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    @Test
    void aFewKeysInTheWorkingFolderAreEnough() throws Exception {
        int port = E2e.freePort();
        Files.writeString(dir.resolve("application.properties"), "# only what differs from the defaults\n"
                + "caravan.receiver.port = " + port + "\n"
                + "caravan.sender.url = http://127.0.0.1:" + port + "\n"
                + "caravan.sender.file-settle-time = 300\n", StandardCharsets.UTF_8);
        processes.start(dir, "run", "run").awaitHttpReady(port);

        deliversADroppedFile(dir.resolve("data/outbox"), dir.resolve("data/inbox"));
    }

    @Test
    void aConfigFileGivenWithConfigIsLayeredBetweenDefaultsAndFlags() throws Exception {
        int filePort = E2e.freePort();
        int flagPort = E2e.freePort();
        Path config = Files.createDirectories(dir.resolve("conf")).resolve("caravan.properties");
        Files.writeString(config, "caravan.receiver.port = " + filePort + "\n"
                + "caravan.receiver.inbox = received\n"
                + "caravan.sender.outbox = drop\n"
                + "caravan.sender.file-settle-time = 300\n", StandardCharsets.UTF_8);
        processes.start(dir, "run", "run", "--config", config.toString(),
                "-Dcaravan.receiver.port=" + flagPort, "-Dcaravan.sender.url=http://127.0.0.1:" + flagPort)
                .awaitHttpReady(flagPort);

        deliversADroppedFile(dir.resolve("drop"), dir.resolve("received"));
    }

    private void deliversADroppedFile(Path outbox, Path inbox) throws Exception {
        Path file = Files.createDirectories(dir.resolve("staging")).resolve("report.txt");
        TestTrees.write(file, "a few keys are enough\n".repeat(500));
        TreeSnapshot source = TreeSnapshot.of(file);
        E2e.drop(file, outbox);
        await("the file in " + inbox).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> E2e.sameTree(source, inbox.resolve("report.txt")));
    }
}
