package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A receiver without a token on an address other machines can reach refuses to start and says why
 * ({@code caravan serve} and {@code caravan run} with a receiver role), unless a token is set or the
 * operator allows it with {@code --insecure} or {@code caravan.receiver.allow-anonymous=true}.
 */
class ReceiverRefusesAnonymousNetworkIT {

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    private void assertRefused(CaravanProcess process) throws InterruptedException {
        assertThat(process.awaitExit(Duration.ofSeconds(60))).as(process.log()).isEqualTo(1);
        assertThat(process.log()).contains("0.0.0.0", "token", "--insecure", "caravan.receiver.allow-anonymous");
    }

    @Test
    void serveOnAllAddressesWithoutATokenRefusesToStartUnlessAllowed() throws Exception {
        int port = E2e.freePort();
        String inbox = dir.resolve("inbox").toString();
        assertRefused(processes.start(dir, "serve", "serve", "--host", "0.0.0.0", "--port", String.valueOf(port), "--root", inbox));
        processes.start(dir, "serve-insecure", "serve", "--host", "0.0.0.0", "--port", String.valueOf(port), "--root", inbox,
                "--insecure").awaitHttpReady(port).close();
        int other = E2e.freePort();
        processes.start(dir, "serve-token", "serve", "--host", "0.0.0.0", "--port", String.valueOf(other), "--root", inbox,
                "--token", "secret").awaitHttpReady(other);
    }

    @Test
    void runWithAReceiverRoleOnAllAddressesWithoutATokenRefusesToStartUnlessAllowed() throws Exception {
        int port = E2e.freePort();
        String[] receiver = {"run", "--role", "receiver", "-Dcaravan.receiver.host=0.0.0.0", "-Dcaravan.receiver.port=" + port,
            "-Dcaravan.receiver.inbox=" + dir.resolve("inbox")};
        assertRefused(processes.start(dir, "run", receiver));
        String[] allowed = java.util.Arrays.copyOf(receiver, receiver.length + 1);
        allowed[receiver.length] = "-Dcaravan.receiver.allow-anonymous=true";
        processes.start(dir, "run-allowed", allowed).awaitHttpReady(port);
    }
}
