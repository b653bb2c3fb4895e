package io.caravan.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.session.postgres.PostgresSessionStore;
import io.caravan.session.postgres.SessionDatabase;
import io.caravan.session.postgres.TestDatabase;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
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
    SessionStore open(Path root) throws Exception {
        String url = databases.computeIfAbsent(root, r -> TestDatabase.newDatabase());
        PostgresSessionStore store = new PostgresSessionStore(SessionDatabase.open(url, TestDatabase.USER, "", 10), root,
                Duration.ofHours(1), new SessionLimits(32L << 20, 10, 1L << 40, 0, true, 0), Clock.systemUTC(),
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
}
