package io.caravan.session.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * The database finds a node that is cut off within about a minute (TCP keepalives on every connection of the pool),
 * and so lets go of the advisory locks its connections hold: a finish's lock of a session or of a published name.
 * With the server's defaults (the system's: two hours before the first probe) every publish of a name a cut-off
 * node held was 503 busy on the other nodes for hours.
 */
class SessionDatabaseKeepalivesTest {

    @Test
    void everyConnectionAsksTheServerToProbeItsClientWithinAMinute() throws Exception {
        try (SessionDatabase db = SessionDatabase.open(TestDatabase.newDatabase(), TestDatabase.USER, "", 2);
             Connection c = db.connection(); Statement statement = c.createStatement()) {
            int idle = setting(statement, "tcp_keepalives_idle");
            int interval = setting(statement, "tcp_keepalives_interval");
            int count = setting(statement, "tcp_keepalives_count");

            assertThat(idle).isPositive();
            assertThat(idle + interval * count).as("seconds until a silent client is dropped").isBetween(1, 90);
        }
    }

    private static int setting(Statement statement, String name) throws Exception {
        try (ResultSet rs = statement.executeQuery("SHOW " + name)) {
            rs.next();
            return Integer.parseInt(rs.getString(1).replaceAll("[^0-9]", ""));
        }
    }
}
