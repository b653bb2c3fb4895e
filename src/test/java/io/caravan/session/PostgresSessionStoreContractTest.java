package io.caravan.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.SettableClock;
import io.caravan.session.postgres.PostgresSessionStore;
import io.caravan.session.postgres.SessionDatabase;
import io.caravan.session.postgres.TestDatabase;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link SessionStore} contract against the PostgreSQL store on a real (embedded) PostgreSQL: the
 * storage {@code root} is the shared chunk folder plus a database of its own; a second {@link #open} is a
 * node started after the first one's restart.
 */
class PostgresSessionStoreContractTest extends SessionStoreContractTest {

    private final Map<Path, String> databases = new HashMap<>();
    private final List<PostgresSessionStore> opened = new ArrayList<>();

    @Override
    SessionStore open(Path root, Clock clock) throws Exception {
        String url = databases.computeIfAbsent(root, r -> TestDatabase.newDatabase());
        PostgresSessionStore store = new PostgresSessionStore(SessionDatabase.open(url, TestDatabase.USER, "", 10), root,
                TTL, new SessionLimits(32L << 20, 10, 1L << 40, 0, true, 0), clock,
                Durability.DEFAULT);
        opened.add(store);
        return store;
    }

    @AfterEach
    void closeStores() {
        opened.forEach(PostgresSessionStore::close);
    }

    @Test
    void publishOptionsReplacedOnOneNodeAreReadOnAnother() throws Exception {
        SessionStore one = open(root);
        Session session = one.create("p", "archive", "zstd", 1L << 20, "fail", null, false, false, null);
        SessionStore two = open(root); // a second node on the same database and chunk folder, while the first runs
        Session onTwo = two.get(session.id().value());
        assertThat(onTwo.meta().onConflict()).isEqualTo("fail");

        one.replacePublishOptions(session, "rename", true);

        assertThat(two.currentMeta(onTwo)).isEqualTo(session.meta());
        assertThat(onTwo.meta()).isEqualTo(session.meta());
    }

    /** A session renewed by a chunk stored on one node is not expired by another that looked at it before. */
    @Test
    void aRenewalOnOneNodeHoldsOnAnother() throws Exception {
        SettableClock clock = new SettableClock(START);
        SessionStore one = open(root, clock);
        SessionStore two = open(root, clock);
        Session session = one.create("slow", "archive", "zstd", 1L << 20, null);
        String sid = session.id().value();
        two.get(sid); // the second node holds it, with its first expiry

        clock.advance(Duration.ofMinutes(40));
        one.write(session, 0, ByteBuffer.wrap(ChunkFileWriterTest.random(1_000, 1)), null);
        clock.advance(Duration.ofMinutes(30));

        assertThat(two.expire()).isEmpty();
        assertThat(two.get(sid).meta().expiresAt()).isEqualTo(START.plus(Duration.ofMinutes(40)).plus(TTL).toString());
        assertThat(one.get(sid).chunks().keySet()).containsExactly(0);
    }
}
