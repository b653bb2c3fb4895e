package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.TestTrees;
import io.caravan.util.TreeSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 at random points (seeded): five trials kill the sender, five kill the receiver, each in
 * the middle of sending a folder. After a restart and a rerun of the same command the published
 * tree equals the source entry by entry, and nothing half-received is visible in the inbox.
 */
class KillNineTrialsIT {

    private static final int TRIALS = 5;

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    @Test
    void killingTheSenderAtRandomPointsNeverCorruptsWhatIsPublished() throws Exception {
        Path source = tree();
        TreeSnapshot expected = TreeSnapshot.of(source);
        Random random = new Random(1110);
        Path inbox = dir.resolve("inbox");
        int port = E2e.freePort();
        processes.start(dir, "serve", E2e.serve(port, inbox)).awaitHttpReady(port);
        for (int trial = 0; trial < TRIALS; trial++) {
            String name = "sender-" + trial;
            CaravanProcess send = processes.start(dir, "send-" + trial, send(source, name, port));
            Thread.sleep(300 + random.nextInt(1500)); // a random point of the transfer: the kill is the test
            send.kill();
            assertNothingHalfVisible(inbox, name, expected);
            CaravanProcess again = processes.start(dir, "resend-" + trial, send(source, name, port));
            assertThat(again.awaitExit(Duration.ofSeconds(90))).as(again.log()).isZero();
            E2e.assertSameTree(expected, inbox.resolve(name));
        }
    }

    @Test
    void killingTheReceiverAtRandomPointsNeverCorruptsWhatIsPublished() throws Exception {
        Path source = tree();
        TreeSnapshot expected = TreeSnapshot.of(source);
        Random random = new Random(1111);
        Path inbox = dir.resolve("inbox");
        int port = E2e.freePort();
        CaravanProcess serve = processes.start(dir, "serve", E2e.serve(port, inbox)).awaitHttpReady(port);
        for (int trial = 0; trial < TRIALS; trial++) {
            String name = "receiver-" + trial;
            CaravanProcess send = processes.start(dir, "send-" + trial, send(source, name, port));
            Thread.sleep(300 + random.nextInt(1500)); // a random point of the transfer: the kill is the test
            serve.kill();
            assertNothingHalfVisible(inbox, name, expected);
            serve = processes.start(dir, "serve", E2e.serve(port, inbox)).awaitHttpReady(port);
            if (send.awaitExit(Duration.ofSeconds(90)) != 0) {
                CaravanProcess again = processes.start(dir, "resend-" + trial, send(source, name, port));
                assertThat(again.awaitExit(Duration.ofSeconds(90))).as(again.log()).isZero();
            }
            E2e.assertSameTree(expected, inbox.resolve(name));
        }
    }

    @Test
    void killingTheReceiverWhileASingleFileArrivesAsItselfNeverCorruptsIt() throws Exception {
        Random random = new Random(1112);
        Path inbox = dir.resolve("inbox");
        int port = E2e.freePort();
        CaravanProcess serve = processes.start(dir, "serve", E2e.serve(port, inbox)).awaitHttpReady(port);
        for (int trial = 0; trial < 3; trial++) {
            Path file = Files.createDirectories(dir.resolve("files")).resolve("video-" + trial + ".bin");
            TestTrees.random(file, 24L << 20, 50 + trial);
            String[] send = {"send", file.toString(), "--to", "http://127.0.0.1:" + port, "--chunk-size", "1MiB",
                    "--state-dir", dir.resolve("state").toString(), "-q"};
            CaravanProcess sending = processes.start(dir, "file-" + trial, send);
            Thread.sleep(200 + random.nextInt(1000)); // a random point of the transfer: the kill is the test
            serve.kill();
            Path published = inbox.resolve(file.getFileName().toString());
            if (Files.exists(published)) {
                assertThat(Files.mismatch(file, published)).as("published whole or not at all").isEqualTo(-1L);
            }
            serve = processes.start(dir, "serve", E2e.serve(port, inbox)).awaitHttpReady(port);
            if (sending.awaitExit(Duration.ofSeconds(90)) != 0) {
                CaravanProcess again = processes.start(dir, "file-again-" + trial, send);
                assertThat(again.awaitExit(Duration.ofSeconds(90))).as(again.log()).isZero();
            }
            assertThat(Files.mismatch(file, published)).isEqualTo(-1L);
            assertThat(Files.getLastModifiedTime(published)).isEqualTo(Files.getLastModifiedTime(file));
        }
    }

    private Path tree() throws Exception {
        Path root = TestTrees.fidelityTree(dir.resolve("src"), "tree");
        for (int i = 0; i < 6; i++) {
            TestTrees.random(root.resolve("blob-" + i + ".bin"), 3L << 20, 40 + i);
        }
        return root;
    }

    private String[] send(Path source, String name, int port) {
        return new String[] {"send", source.toString(), name, "--to", "http://127.0.0.1:" + port, "--chunk-size", "1MiB",
                "--codec", "none", "--state-dir", dir.resolve("state").toString(), "-q"};
    }

    /** The parcel is either not there or whole: never a partial tree under its name. */
    private static void assertNothingHalfVisible(Path inbox, String name, TreeSnapshot expected) throws Exception {
        if (Files.exists(inbox.resolve(name))) {
            E2e.assertSameTree(expected, inbox.resolve(name));
        }
    }
}
