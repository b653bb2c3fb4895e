package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A receiver limited to 1024 file descriptors ({@code prlimit --nofile=1024:1024}, as {@code ulimit -n 1024})
 * with {@code max-sessions=700}: 600 open sessions, before and after a restart that finds them on disk, leave
 * it able to start more sessions and healthy (an idle session used to hold two descriptors, so about 450
 * sessions made every {@code POST /start} fail with 500 "Too many open files" while {@code /health} said UP).
 * Its start warns that 700 sessions uploading at once would not fit in the limit.
 */
class ManySessionsUnderLowDescriptorLimitIT {

    private static final int SESSIONS = 600;
    private static final List<String> LIMITED = List.of("prlimit", "--nofile=1024:1024");

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private CaravanProcess receiver(int port, String label) throws Exception {
        return processes.startWithin(LIMITED, dir, label, List.of(), "run", "--role", "receiver",
                "-Dcaravan.receiver.port=" + port, "-Dcaravan.receiver.inbox=" + dir.resolve("inbox"),
                "-Dcaravan.receiver.max-sessions=700").awaitHttpReady(port);
    }

    private HttpResponse<String> start(int port, int i) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/start"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"p" + i + ".bin\",\"kind\":\"raw\",\"codec\":\"none\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void sixHundredOpenSessionsLeaveTheReceiverServingBeforeAndAfterARestart() throws Exception {
        int port = E2e.freePort();
        CaravanProcess first = receiver(port, "receiver");
        assertThat(first.log()).contains("caravan.receiver.max-sessions=700", "1024 this process may open (ulimit -n)");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < SESSIONS; i++) {
            HttpResponse<String> started = start(port, i);
            assertThat(started.statusCode()).as("session %d: %s", i, started.body()).isEqualTo(201);
            ids.add(E2e.JSON.readTree(started.body()).get("session_id").asText());
        }
        assertThat(CaravanProcess.status(port, "/health")).isEqualTo(200);
        first.close();

        receiver(port, "restarted");
        HttpResponse<String> more = start(port, SESSIONS);
        assertThat(more.statusCode()).as(more.body()).isEqualTo(201);
        assertThat(E2e.status(port, ids.get(0)).get("session_id").asText()).isEqualTo(ids.get(0));
        assertThat(E2e.status(port, ids.get(SESSIONS - 1)).get("session_id").asText()).isEqualTo(ids.get(SESSIONS - 1));
        assertThat(CaravanProcess.status(port, "/health")).isEqualTo(200);
    }
}
