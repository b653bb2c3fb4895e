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
 * {@code caravan run --role sender} whose receiver is not running yet: the sender keeps trying,
 * saying that it waits for the receiver, and once {@code caravan serve} starts on that port the
 * dropped file arrives.
 */
class ReceiverDownThenUpIT {

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    @Test
    void aReceiverThatIsDownAtFirstIsWaitedFor() throws Exception {
        int port = E2e.freePort();
        Path outbox = dir.resolve("outbox");
        Path file = Files.createDirectories(dir.resolve("staging")).resolve("waiting.txt");
        TestTrees.write(file, "delivered once the receiver is up\n".repeat(1000));
        TreeSnapshot source = TreeSnapshot.of(file);

        CaravanProcess sender = processes.start(dir, "sender", E2e.run(dir, port, "--role", "sender"));
        E2e.drop(file, outbox);
        await("the sender found the receiver down").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    assertThat(sender.isAlive()).as("sender running").isTrue();
                    return sender.log().contains("no receiver at http://127.0.0.1:" + port + " — is `caravan serve` running"
                            + " there?") && sender.log().contains("waiting");
                });
        assertThat(CaravanProcess.status(port, "/health")).as("nothing listens on the receiver's port yet").isEqualTo(-1);

        processes.start(dir, "serve", E2e.serve(port, dir.resolve("inbox"))).awaitHttpReady(port);

        await("the file in the inbox").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> E2e.sameTree(source, dir.resolve("inbox/waiting.txt")));
        await("the source in outbox/.sent").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> Files.exists(outbox.resolve(".sent/waiting.txt")));
        assertThat(outbox.resolve(".failed")).doesNotExist();
        assertThat(sender.isAlive()).isTrue();
    }
}
