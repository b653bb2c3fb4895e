package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.LoggedWarnings;
import io.caravan.SettableClock;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Authentication failures told to the log are summed up per client address and interval, as the audit trail's are. */
class AuthFailureLogTest {

    @Test
    void aClientsFirstFailureIsALineAndTheRestOneSumWhenTheIntervalEnds() {
        SettableClock clock = new SettableClock(Instant.parse("2026-12-03T12:00:00Z"));
        AuthFailureLog log = new AuthFailureLog("console: a login with a wrong token", Duration.ofMinutes(1), clock);
        try (LoggedWarnings warnings = new LoggedWarnings()) {
            for (int port = 40_000; port < 40_005; port++) {
                log.failed(new InetSocketAddress("127.0.0.1", port)); // a new connection each time: one client
            }
            log.flush();
            assertThat(warnings.containing("wrong token")).containsExactly("console: a login with a wrong token from 127.0.0.1");
            clock.advance(Duration.ofSeconds(61));
            log.flush();
            assertThat(warnings.containing("wrong token")).containsExactly("console: a login with a wrong token from 127.0.0.1",
                    "console: a login with a wrong token from 127.0.0.1: 4 more since the first");
        }
    }
}
