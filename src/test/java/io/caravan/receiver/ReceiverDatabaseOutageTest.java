package io.caravan.receiver;

import static io.caravan.receiver.ReceiverCalls.assertPublished;
import static io.caravan.receiver.ReceiverCalls.chunks;
import static io.caravan.receiver.ReceiverCalls.error;
import static io.caravan.receiver.ReceiverCalls.finish;
import static io.caravan.receiver.ReceiverCalls.json;
import static io.caravan.receiver.ReceiverCalls.ok;
import static io.caravan.receiver.ReceiverCalls.put;
import static io.caravan.receiver.ReceiverCalls.startArchive;
import static io.caravan.receiver.ReceiverCalls.status;
import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A receiver on the PostgreSQL store whose database stops and starts again: meanwhile requests that need
 * it answer 503 database_unavailable (senders retry) and /health says the database is down; what was
 * acknowledged before is all there after, and the receiver serves again without a restart.
 */
class ReceiverDatabaseOutageTest {

    @TempDir
    Path tmp;

    private EmbeddedPostgres db;
    private ReceiverFixture receiver;

    private EmbeddedPostgres startDatabase(int port) throws Exception {
        return EmbeddedPostgres.builder().setDataDirectory(tmp.resolve("pgdata")).setCleanDataDirectory(false)
                .setPort(port).start();
    }

    @AfterEach
    void stop() throws Exception {
        if (receiver != null) {
            receiver.close();
        }
        if (db != null) {
            db.close();
        }
    }

    @Test
    void requestsAnswer503WhileTheDatabaseIsDownAndServiceResumesByItself() throws Exception {
        int port = ReceiverFixture.freePort();
        db = startDatabase(port);
        receiver = new ReceiverFixture(tmp.resolve("inbox"), Map.of("caravan.receiver.store", "postgres",
                "caravan.receiver.db.url", db.getJdbcUrl("postgres", "postgres"),
                "caravan.receiver.db.user", "postgres",
                "caravan.receiver.chunk-dir", tmp.resolve("chunks").toString()));
        ReceiverCalls.Parcel parcel = ReceiverCalls.smallParcel(tmp, "outage", 300_000, 3);
        String sid = startArchive(receiver, "outage");
        ok(put(receiver, sid, 0, parcel.part(0)), 201);
        assertThat(json(receiver.get("/health")).get("database").asText()).isEqualTo("UP");

        db.close();
        db = null;
        error(put(receiver, sid, 1, parcel.part(1)), 503, "database_unavailable");
        error(status(receiver, sid), 503, "database_unavailable");
        error(receiver.post("/start", ReceiverCalls.startBody("other", Map.of())), 503, "database_unavailable");
        HttpResponse<String> health = receiver.get("/health");
        assertThat(health.statusCode()).isEqualTo(503);
        assertThat(json(health).get("database").asText()).isEqualTo("DOWN");

        db = startDatabase(port);
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> receiver.get("/health").statusCode() == 200);
        for (int i = 1; i < parcel.count(); i++) {
            ok(put(receiver, sid, i, parcel.part(i)), 201);
        }
        assertThat(chunks(ok(status(receiver, sid), 200))).as("chunk 0, acknowledged before the outage, is kept")
                .hasSize(parcel.count());
        assertPublished(receiver, finish(receiver, sid, parcel), parcel, "outage");
    }
}
