package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.session.postgres.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.spi.CamelEvent.ExchangeCompletedEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Receivers on the PostgreSQL store run the Quartz cleanup with the clustered JDBC job store: its trigger
 * and the nodes' check-ins are rows of the shared database, and each firing runs once. (Quartz keeps one
 * scheduler per name in a JVM, so two nodes in this JVM share one; ClusteredReceiversIT runs two processes.)
 */
class ClusteredCleanupTest {

    @TempDir
    Path tmp;

    private final List<ReceiverFixture> nodes = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (ReceiverFixture node : nodes) {
            node.close();
        }
    }

    @Test
    void eachFiringOfTheCleanupRunsOnOneNode() throws Exception {
        Map<String, String> shared = Map.of("caravan.receiver.store", "postgres",
                "caravan.receiver.db.url", TestDatabase.newDatabase(),
                "caravan.receiver.db.user", TestDatabase.USER,
                "caravan.receiver.chunk-dir", tmp.resolve("chunks").toString(),
                "caravan.receiver.cleanup-cron", "* * * * * ?");
        List<String> runs = Collections.synchronizedList(new ArrayList<>());
        for (String name : List.of("a", "b")) {
            ReceiverFixture node = new ReceiverFixture(tmp.resolve("inbox"), shared);
            nodes.add(node);
            EventNotifierSupport counter = new EventNotifierSupport() {
                @Override
                public void notify(org.apache.camel.spi.CamelEvent event) {
                    if (event instanceof ExchangeCompletedEvent done
                            && "session-cleanup".equals(done.getExchange().getFromRouteId())) {
                        Date fired = done.getExchange().getMessage().getHeader("fireTime", Date.class);
                        runs.add(fired.toInstant() + " on " + name);
                    }
                }
            };
            counter.start();
            node.context().getManagementStrategy().addEventNotifier(counter);
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> runs.size() >= 4);
        try (Connection c = DriverManager.getConnection(shared.get("caravan.receiver.db.url"), TestDatabase.USER, "");
             Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM qrtz_cron_triggers WHERE sched_name = 'caravan-receivers'")) {
                rs.next();
                assertThat(rs.getInt(1)).as("the cleanup's trigger is kept in the database").isEqualTo(1);
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM qrtz_scheduler_state WHERE sched_name = 'caravan-receivers'")) {
                rs.next();
                assertThat(rs.getInt(1)).as("the scheduler checks in as a cluster member").isPositive();
            }
        }
        Map<String, List<String>> byFiring = new HashMap<>();
        for (String run : List.copyOf(runs)) {
            byFiring.computeIfAbsent(run.substring(0, run.indexOf(" on ")), k -> new ArrayList<>()).add(run);
        }
        assertThat(byFiring.values()).as("runs by firing: " + runs).allSatisfy(firing -> assertThat(firing).hasSize(1));
    }
}
