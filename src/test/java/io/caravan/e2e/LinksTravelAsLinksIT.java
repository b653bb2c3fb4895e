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
 * A folder holding absolute and relative links (as a JDK or a Python virtualenv does) is sent and
 * published with its links kept as links, as rsync and Syncthing copy them; {@code --safe-links}
 * skips the ones that point outside the tree, with a warning.
 */
class LinksTravelAsLinksIT {

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    @Test
    void aVirtualenvWithAnAbsoluteLinkIsPublishedWithItsLinks() throws Exception {
        Path venv = Files.createDirectories(dir.resolve("venv/bin"));
        TestTrees.write(venv.resolve("activate"), "# activate\n");
        Files.createSymbolicLink(venv.resolve("python"), Path.of("/usr/bin/python3"));
        Files.createSymbolicLink(venv.resolve("python3"), Path.of("python"));
        Files.createSymbolicLink(venv.resolve("up"), Path.of("../../elsewhere"));
        int port = E2e.freePort();
        Path inbox = dir.resolve("inbox");
        processes.start(dir, "serve", E2e.serve(port, inbox)).awaitHttpReady(port);

        send(port, "venv");
        assertThat(Files.readSymbolicLink(inbox.resolve("venv/bin/python"))).isEqualTo(Path.of("/usr/bin/python3"));
        assertThat(Files.readSymbolicLink(inbox.resolve("venv/bin/python3"))).isEqualTo(Path.of("python"));
        assertThat(Files.readSymbolicLink(inbox.resolve("venv/bin/up"))).isEqualTo(Path.of("../../elsewhere"));

        String output = send(port, "safe", "--safe-links");
        assertThat(output).contains("python -> /usr/bin/python3").contains("--safe-links");
        assertThat(inbox.resolve("safe/bin/python")).doesNotExist();
        assertThat(inbox.resolve("safe/bin/up")).doesNotExist();
        assertThat(Files.readSymbolicLink(inbox.resolve("safe/bin/python3"))).isEqualTo(Path.of("python"));
        assertThat(inbox.resolve("safe/bin/activate")).hasContent("# activate");
    }

    private String send(int port, String name, String... extra) throws Exception {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("send", dir.resolve("venv").toString(), name,
                "--to", "http://127.0.0.1:" + port, "--state-dir", dir.resolve("state").toString(), "-q"));
        args.addAll(java.util.List.of(extra));
        CaravanProcess send = processes.start(dir, "send-" + name, args.toArray(String[]::new));
        assertThat(send.awaitExit(Duration.ofSeconds(60))).as(send.log()).isZero();
        return send.log();
    }
}
