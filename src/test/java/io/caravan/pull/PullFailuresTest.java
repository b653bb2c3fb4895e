package io.caravan.pull;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.LoggedWarnings;
import io.caravan.SettableClock;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;

/** A failure that lasts is said once a minute at most, a different one at once, and the recovery once. */
class PullFailuresTest {

    private final SettableClock clock = new SettableClock(Instant.parse("2026-01-01T00:00:00Z"));

    @Test
    void aLastingFailureIsSaidOnceAMinuteAndTheRecoveryOnce() {
        PullFailures failures = new PullFailures("http://remote:8834", clock);
        try (LoggedWarnings logged = new LoggedWarnings(Level.INFO)) {
            for (int pass = 0; pass < 60; pass++) { // one pass a second for a minute
                failures.failed(new IOException("no receiver at http://remote:8834"));
                clock.advance(Duration.ofSeconds(1));
            }
            assertThat(logged.containing("no receiver")).hasSize(1);
            failures.failed(new IOException("no receiver at http://remote:8834"));
            assertThat(logged.containing("no receiver")).hasSize(2);
            assertThat(logged.containing("no receiver").get(1)).contains("61 passes failed in a row");

            failures.failed(new IOException("answered 503"));
            assertThat(logged.containing("answered 503")).as("a different failure is said at once").hasSize(1);

            failures.passed();
            failures.passed();
            assertThat(logged.containing("answers again")).containsExactly("pull: http://remote:8834 answers again, after 62 failed passes");
            assertThat(logged.levelsOf("pull:")).doesNotContain(Level.ERROR);
            assertThat(logged.errorsAndTraces()).isEmpty();
        }
    }
}
