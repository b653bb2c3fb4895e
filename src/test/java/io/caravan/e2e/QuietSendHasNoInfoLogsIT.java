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
 * {@code send -q} prints no INFO log line, only its result; {@code -v} numbers the files it packs
 * ({@code [2/2]}, folders aside) and {@code -vv} adds debug lines.
 */
class QuietSendHasNoInfoLogsIT {

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    @Test
    void quietIsQuietAndVerboseCounts() throws Exception {
        int port = E2e.freePort();
        processes.start(dir, "serve", E2e.serve(port, dir.resolve("inbox"))).awaitHttpReady(port);
        Path folder = Files.createDirectories(dir.resolve("docs"));
        TestTrees.write(folder.resolve("a.txt"), "first\n");
        TestTrees.write(folder.resolve("b.txt"), "second\n");

        String quiet = send(port, folder, "-q");
        assertThat(quiet).contains("succeeded: 2").doesNotContain(" INFO ").doesNotContain("a.txt");

        String verbose = send(port, folder, "-v");
        assertThat(verbose).contains("[1/2] docs/a.txt").contains("[2/2] docs/b.txt").doesNotContain("[3/2]")
                .doesNotContain(" DEBUG ");

        String veryVerbose = send(port, folder, "-vv");
        assertThat(veryVerbose).contains("docs/a.txt").contains(" DEBUG ");
    }

    private String send(int port, Path folder, String verbosity) throws Exception {
        CaravanProcess send = processes.start(dir, "send", "send", folder.toString(), "--to", "http://127.0.0.1:" + port,
                "--state-dir", dir.resolve("state").toString(), verbosity);
        int exit = send.awaitExit(Duration.ofSeconds(60));
        String output = send.log();
        assertThat(exit).as(output).isZero();
        return output;
    }
}
