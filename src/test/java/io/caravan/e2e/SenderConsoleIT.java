package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code caravan run --role sender}, the real command in its own JVM, serves the console on
 * {@code caravan.console.port}: the login page without the token, the overview with it; a console port
 * in use, or a console on all addresses without a token, stops the start and says what to do.
 */
class SenderConsoleIT {

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    private String[] sender(int consolePort, String... more) {
        String[] base = {"run", "--role", "sender", "-Dcaravan.sender.url=http://127.0.0.1:1",
            "-Dcaravan.sender.outbox=" + dir.resolve("outbox"), "-Dcaravan.sender.state-dir=" + dir.resolve("state"),
            "-Dcaravan.console.port=" + consolePort};
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    @Test
    void theSendersConsoleAsksForTheTokenAndShowsTheOutboxWithIt() throws Exception {
        int port = E2e.freePort();
        CaravanProcess run = processes.start(dir, "run", sender(port, "-Dcaravan.sender.token=secret"));
        await("the console on " + port).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            assertThat(run.isAlive()).as(run.log()).isTrue();
            return CaravanProcess.status(port, "/") == 200;
        });

        assertThat(CaravanProcess.get(port, "/").body()).contains("id=\"login-form\"");
        assertThat(CaravanProcess.status(port, "/console/api/overview")).isEqualTo(401);
        HttpResponse<String> overview = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/console/api/overview")).header("Authorization", "Bearer secret").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(overview.statusCode()).isEqualTo(200);
        assertThat(E2e.JSON.readTree(overview.body()).path("role").asText()).isEqualTo("sender");
    }

    @Test
    void aConsolePortInUseStopsTheStartNamingThePortAndTheKey() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            CaravanProcess run = processes.start(dir, "run", sender(taken.getLocalPort()));
            assertThat(run.awaitExit(Duration.ofSeconds(60))).as(run.log()).isEqualTo(1);
            assertThat(run.log()).contains(String.valueOf(taken.getLocalPort()), "caravan.console.port", "caravan.console.enabled");
        }
    }

    @Test
    void aConsoleOnAllAddressesWithoutATokenRefusesToStartUnlessAllowed() throws Exception {
        int port = E2e.freePort();
        CaravanProcess refused = processes.start(dir, "run", sender(port, "-Dcaravan.console.host=0.0.0.0"));
        assertThat(refused.awaitExit(Duration.ofSeconds(60))).as(refused.log()).isEqualTo(1);
        assertThat(refused.log()).contains("0.0.0.0", "caravan.console.token", "--insecure");

        CaravanProcess allowed = processes.start(dir, "run-insecure", sender(port, "-Dcaravan.console.host=0.0.0.0", "--insecure"));
        await("the console on " + port).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            assertThat(allowed.isAlive()).as(allowed.log()).isTrue();
            return CaravanProcess.status(port, "/console/api/overview") == 200;
        });
    }
}
