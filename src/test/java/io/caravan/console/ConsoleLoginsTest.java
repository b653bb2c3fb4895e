package io.caravan.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** A console login is a random id that opens the console for a fixed time, until logout, among a bounded number. */
class ConsoleLoginsTest {

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-05T10:00:00Z"));
    private final ConsoleLogins logins = new ConsoleLogins(now::get);

    @Test
    void aLoginOpensTheConsoleUntilItsLifetimeEnds() {
        String id = logins.open();
        assertThat(id).matches("[A-Za-z0-9_-]{43}");
        now.set(now.get().plus(ConsoleLogins.LIFETIME).minusSeconds(1));
        assertThat(logins.opens(id)).isTrue();
        now.set(now.get().plusSeconds(1));
        assertThat(logins.opens(id)).isFalse();
    }

    @Test
    void logoutClosesOnlyItsLogin() {
        String one = logins.open();
        String two = logins.open();
        logins.close(one);
        assertThat(logins.opens(one)).isFalse();
        assertThat(logins.opens(two)).isTrue();
        assertThat(logins.opens(null)).isFalse();
        assertThat(logins.opens(two.substring(1))).isFalse();
    }

    @Test
    void beyondTheMostLoginsTheOldestIsClosed() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i <= ConsoleLogins.MAX; i++) {
            ids.add(logins.open());
        }
        assertThat(logins.size()).isEqualTo(ConsoleLogins.MAX);
        assertThat(logins.opens(ids.get(0))).isFalse();
        assertThat(logins.opens(ids.get(1))).isTrue();
        assertThat(logins.opens(ids.get(ConsoleLogins.MAX))).isTrue();
        assertThat(ids).doesNotHaveDuplicates();
    }
}
