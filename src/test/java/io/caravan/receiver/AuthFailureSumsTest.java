package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.audit.AuditEvent;
import io.caravan.audit.JsonlAuditTrail;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Authentication failures summed up into a real trail: the sums still counted when the receiver stops are
 * written then, and addresses beyond those an interval tells apart share one line, so lines stay bounded.
 */
class AuthFailureSumsTest {

    @TempDir
    Path dir;

    private long failures(List<AuditEvent> lines) {
        return lines.stream().filter(l -> l.event().equals(AuditEvent.AUTH_FAILURE))
                .mapToLong(l -> l.count() == null ? 1 : l.count()).sum();
    }

    @Test
    void theFailuresStillCountedAreWrittenWhenTheAuditCloses() {
        JsonlAuditTrail trail = new JsonlAuditTrail(dir, 1 << 20, Duration.ofDays(1), Clock.systemUTC());
        ReceiverAudit audit = new ReceiverAudit(trail, BearerToken.of("t"), Duration.ofHours(1), Clock.systemUTC());
        for (int i = 0; i < 7; i++) {
            audit.refused(new InetSocketAddress("10.0.0.9", 4000 + i), "/x" + i, 401, "unauthorized");
        }
        assertThat(failures(trail.since(Instant.EPOCH, 100))).isEqualTo(1);

        audit.close();
        List<AuditEvent> lines = trail.since(Instant.EPOCH, 100);
        assertThat(failures(lines)).isEqualTo(7);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1).name()).isEqualTo("/x6");
        assertThat(lines.get(1).count()).isEqualTo(6);
    }

    @Test
    void addressesBeyondThoseAnIntervalTellsApartShareOneLine() throws IOException {
        JsonlAuditTrail trail = new JsonlAuditTrail(dir, 1 << 30, Duration.ofDays(1), Clock.systemUTC());
        ReceiverAudit audit = new ReceiverAudit(trail, BearerToken.of("t"), Duration.ofHours(1), Clock.systemUTC());
        int clients = AuthFailureTally.MAX_CLIENTS + 500;
        for (int i = 0; i < clients; i++) {
            audit.refused(new InetSocketAddress("10.1." + (i / 250) + "." + (i % 250), 4000), "/y", 401, "unauthorized");
        }
        audit.close();
        assertThat(Files.readAllLines(dir.resolve(JsonlAuditTrail.FILE))).hasSize(AuthFailureTally.MAX_CLIENTS + 1);
        AuditEvent shared = trail.since(null, 1).get(0);
        assertThat(shared.client()).isNull();
        assertThat(shared.count()).isEqualTo(500);
    }
}
