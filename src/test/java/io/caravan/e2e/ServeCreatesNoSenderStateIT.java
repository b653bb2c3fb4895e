package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code caravan serve} runs the receiver only: in an empty working folder it leaves the inbox and
 * nothing of a sender ({@code data/.sender}). A role that does not exist is refused before anything starts.
 */
class ServeCreatesNoSenderStateIT {

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    @Test
    void serveInAnEmptyFolderCreatesNoSenderState() throws Exception {
        int port = E2e.freePort();
        CaravanProcess serve = processes.start(dir, "serve", "serve", "--port", String.valueOf(port)).awaitHttpReady(port);
        serve.signal("TERM");
        serve.awaitExit(Duration.ofSeconds(30));

        assertThat(dir.resolve("data/inbox")).isDirectory();
        assertThat(dir.resolve("data/.sender")).as(serve.log()).doesNotExist();
    }

    @Test
    void anUnknownRoleInTheConfigurationIsRefusedWithTheAllowedOnes() throws Exception {
        Files.writeString(dir.resolve("application.properties"), "caravan.role = recevier\n");
        CaravanProcess run = processes.start(dir, "run", "run", "-Dcaravan.receiver.port=" + E2e.freePort());
        int exit = run.awaitExit(Duration.ofSeconds(60));

        assertThat(exit).as(run.log()).isNotZero();
        assertThat(run.log()).contains("caravan.role (--role) is 'recevier': use one of sender, receiver, both");
        assertThat(dir.resolve("data")).doesNotExist();
    }
}
