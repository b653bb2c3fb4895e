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
 * Where waiting cannot help, the command line says so at once: {@code send} and {@code sync --once}
 * to a port where nothing listens end in a few seconds with the likely cause and exit code 1, a
 * receiver's refusal (a wrong token) is final at once and shows the receiver's own message, and
 * {@code --to host:port} without a scheme means {@code http://}.
 */
class NoReceiverFailsFastIT {

    /** JVM start-up on a loaded machine plus the three seconds a refused connection is retried. */
    private static final Duration PROMPTLY = Duration.ofSeconds(15);

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    @Test
    void sendToAPortWhereNothingListensEndsInSecondsWithTheCause() throws Exception {
        Path file = dir.resolve("a.txt");
        TestTrees.write(file, "hello\n");
        int port = E2e.freePort();
        String[] send = {"send", file.toString(), "--to", "127.0.0.1:" + port, "--state-dir", dir.resolve("state").toString()};

        CaravanProcess refused = processes.start(dir, "send", send);
        assertThat(refused.awaitExit(PROMPTLY)).as(refused.log()).isEqualTo(1);
        assertThat(refused.log()).contains("no receiver at http://127.0.0.1:" + port + " — is `caravan serve` running there?");

        processes.start(dir, "serve", E2e.serve(port, dir.resolve("inbox"))).awaitHttpReady(port);
        CaravanProcess delivered = processes.start(dir, "send", send);
        assertThat(delivered.awaitExit(Duration.ofSeconds(60))).as(delivered.log()).isZero();
        assertThat(dir.resolve("inbox/a.txt")).hasContent("hello");
    }

    @Test
    void syncOnceToAPortWhereNothingListensEndsInSecondsWithTheCause() throws Exception {
        Path source = Files.createDirectories(dir.resolve("site"));
        TestTrees.write(source.resolve("index.html"), "<p>hi</p>\n");
        int port = E2e.freePort();
        CaravanProcess sync = processes.start(dir, "sync", SyncE2e.sync(source, port, dir.resolve("state"), "--once"));
        assertThat(sync.awaitExit(PROMPTLY)).as(sync.log()).isEqualTo(1);
        assertThat(sync.log()).contains("no receiver at http://127.0.0.1:" + port + " — is `caravan serve` running there?");
    }

    @Test
    void getFromAPortWhereNothingListensEndsInSecondsWithTheCause() throws Exception {
        int port = E2e.freePort();
        CaravanProcess get = processes.start(dir, "get", "get", "backup/www", dir.resolve("restore").toString(),
                "--to", "127.0.0.1:" + port);
        assertThat(get.awaitExit(PROMPTLY)).as(get.log()).isEqualTo(1);
        assertThat(get.log()).contains("no receiver at http://127.0.0.1:" + port + " — is `caravan serve` running there?");
    }

    @Test
    void aRefusalIsFinalAtOnceAndShowsTheReceiversMessage() throws Exception {
        Path file = dir.resolve("a.txt");
        TestTrees.write(file, "hello\n");
        int port = E2e.freePort();
        processes.start(dir, "serve", "serve", "--port", String.valueOf(port), "--root", dir.resolve("inbox").toString(),
                "--token", "secret").awaitHttpReady(port);
        CaravanProcess send = processes.start(dir, "send", "send", file.toString(), "--to", "http://127.0.0.1:" + port,
                "--token", "guess", "--state-dir", dir.resolve("state").toString());
        assertThat(send.awaitExit(PROMPTLY)).as(send.log()).isEqualTo(1);
        assertThat(send.log()).contains("401").contains("missing or wrong bearer token").doesNotContain("retrying");
    }
}
