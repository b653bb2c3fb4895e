package io.caravan.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.audit.AuditEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The console reads the audit events into transfers (duration from the session's start when the start
 * is among the events, else the publish's own), failures with their reason, and mirrors with their
 * last change; newest first, each list cut at its limit.
 */
class AuditDigestTest {

    private static AuditEvent at(String time, String kind) {
        return AuditEvent.of(kind).time(time).client("10.0.0.7").result(AuditEvent.OK);
    }

    @Test
    void aPublishTakesItsDurationFromItsSessionsStart() {
        List<AuditEvent> events = List.of(
                at("2026-01-05T10:00:00Z", AuditEvent.SESSION_START).session("s1").name("a"),
                at("2026-01-05T10:00:30Z", AuditEvent.PUBLISH).session("s1").name("a").files(3L).bytes(100L).sha256("ab")
                        .durationMs(40L),
                at("2026-01-05T10:01:00Z", AuditEvent.PUBLISH).session("s2").name("b").durationMs(40L));

        AuditDigest digest = AuditDigest.of(events, 50);

        assertThat(digest.transfers()).extracting(AuditDigest.Transfer::name).containsExactly("b", "a");
        AuditDigest.Transfer a = digest.transfers().get(1);
        assertThat(a.durationMs()).isEqualTo(30_000);
        assertThat(a.files()).isEqualTo(3);
        assertThat(a.bytes()).isEqualTo(100);
        assertThat(a.sha256()).isEqualTo("ab");
        assertThat(a.client()).isEqualTo("10.0.0.7");
        assertThat(digest.transfers().get(0).durationMs()).as("start not among the events").isEqualTo(40);
    }

    @Test
    void refusalsAreFailuresAndMirrorChangesAreCountedPerMirror() {
        List<AuditEvent> events = List.of(
                at("2026-01-05T10:00:00Z", AuditEvent.REJECTION).name("x").result("chunk_digest_mismatch"),
                at("2026-01-05T10:00:01Z", AuditEvent.AUTH_FAILURE).name("/audit").result("unauthorized"),
                at("2026-01-05T10:00:02Z", AuditEvent.MIRROR_CHANGE).name("site"),
                at("2026-01-05T10:00:03Z", AuditEvent.MIRROR_CHANGE).name("docs"),
                at("2026-01-05T10:00:04Z", AuditEvent.MIRROR_CHANGE).name("site"),
                at("2026-01-05T10:00:05Z", AuditEvent.DOWNLOAD).name("y"));

        AuditDigest digest = AuditDigest.of(events, 50);

        assertThat(digest.failures()).extracting(AuditDigest.Failure::result).containsExactly("unauthorized", "chunk_digest_mismatch");
        assertThat(digest.mirrors()).containsExactly(new AuditDigest.Mirror("site", "2026-01-05T10:00:04Z", 2),
                new AuditDigest.Mirror("docs", "2026-01-05T10:00:03Z", 1));
        assertThat(digest.transfers()).isEmpty();
    }

    @Test
    void eachListKeepsTheNewestUpToItsLimit() {
        List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            events.add(at("2026-01-05T10:00:0" + i + "Z", AuditEvent.PUBLISH).name("p" + i));
        }

        assertThat(AuditDigest.of(events, 3).transfers()).extracting(AuditDigest.Transfer::name).containsExactly("p9", "p8", "p7");
    }
}
