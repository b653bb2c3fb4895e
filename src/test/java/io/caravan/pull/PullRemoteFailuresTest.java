package io.caravan.pull;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.caravan.LoggedWarnings;
import io.caravan.app.CaravanMain;
import io.caravan.receiver.ReceiverFixture;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pull mode against a remote that is down, or that answers its listing with something else than 2xx:
 * each failing pass is one warning naming the remote and what it answered, no error and no stack
 * trace, and while the same failure lasts it is said again at most once a minute.
 */
class PullRemoteFailuresTest {

    @TempDir
    Path tmp;

    @Test
    void aRemoteThatIsDownIsOneWarningWithoutATrace() throws Exception {
        String remote = "http://127.0.0.1:" + ReceiverFixture.freePort();
        try (LoggedWarnings logged = new LoggedWarnings()) {
            Main main = pull(remote);
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> !logged.containing("pull: " + remote).isEmpty());
                Thread.sleep(3_000); // more passes (every second) fail meanwhile
                assertThat(logged.errorsAndTraces()).isEmpty();
                List<String> said = logged.containing("pull: " + remote);
                assertThat(said).hasSize(1);
                assertThat(said.get(0)).contains("no receiver").contains("next pass");
            } finally {
                main.stop();
            }
        }
    }

    @Test
    void aListingAnsweredWithAnErrorStatusIsOneWarningNamingIt() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        server.start();
        String remote = "http://127.0.0.1:" + server.getAddress().getPort();
        try (LoggedWarnings logged = new LoggedWarnings()) {
            Main main = pull(remote);
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> !logged.containing("pull: " + remote).isEmpty());
                Thread.sleep(3_000);
                assertThat(logged.errorsAndTraces()).isEmpty();
                List<String> said = logged.containing("pull: " + remote);
                assertThat(said).hasSize(1);
                assertThat(said.get(0)).contains("404");
            } finally {
                main.stop();
                server.stop(0);
            }
        }
    }

    private Main pull(String remote) throws Exception {
        Main main = CaravanMain.create(List.of("pull"), Map.of(
                "caravan.role", "receiver",
                "caravan.receiver.inbox", tmp.resolve("local").toString(),
                "caravan.receiver.port", String.valueOf(ReceiverFixture.freePort()),
                "caravan.pull.from", remote,
                "caravan.pull.cron", "0/1 * * * * ?"));
        main.start();
        return main;
    }
}
