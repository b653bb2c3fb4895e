package io.caravan.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit trail ({@code <inbox>/.caravan/audit.jsonl} and its rotated files) is never written, read or
 * cleaned up through a link a local user plants: a link as the trail is removed as a link (its target
 * untouched) and the trail written anew, a link as a rotated file is not read, and a link as the state
 * folder is refused, nothing written or deleted where it points.
 */
class AuditTrailLinksTest {

    private static final String PRECIOUS = "precious line\n";
    private static final String FORGED = "{\"time\":\"2026-01-05T09:00:00Z\",\"event\":\"forged\",\"result\":\"ok\"}\n";

    @TempDir
    Path tmp;
    private Path state;
    private Path victim;
    private final Clock clock = Clock.fixed(Instant.parse("2026-01-05T10:00:00Z"), ZoneOffset.UTC);

    @BeforeEach
    void folders() throws Exception {
        state = tmp.resolve("inbox/.caravan");
        victim = Files.createDirectories(tmp.resolve("victim"));
        Files.writeString(victim.resolve("notes.txt"), PRECIOUS);
    }

    private JsonlAuditTrail trail() {
        return new JsonlAuditTrail(state, 1 << 20, Duration.ofDays(30), clock);
    }

    @Test
    void aLinkAsTheTrailIsReplacedNotAppendedTo() throws Exception {
        JsonlAuditTrail trail = trail();
        trail.record(AuditEvent.of("session_start").name("first").result("ok"));
        trail.close();
        Path file = state.resolve(JsonlAuditTrail.FILE);
        Files.delete(file);
        Files.createSymbolicLink(file, victim.resolve("notes.txt"));
        // changed the same day, so that the trail would go on appending to it
        Files.setLastModifiedTime(victim.resolve("notes.txt"),
                java.nio.file.attribute.FileTime.from(Instant.parse("2026-01-05T09:00:00Z")));

        trail.record(AuditEvent.of("publish").name("second").result("ok"));
        trail.close();

        assertThat(Files.readString(victim.resolve("notes.txt"))).isEqualTo(PRECIOUS);
        assertThat(Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(Files.readString(file)).contains("second");
    }

    @Test
    void aLinkAsARotatedFileIsNotRead() throws Exception {
        Files.createDirectories(state);
        Files.writeString(victim.resolve("events.jsonl"), FORGED);
        Files.createSymbolicLink(state.resolve("audit-20260105T080000000Z.jsonl"), victim.resolve("events.jsonl"));
        JsonlAuditTrail trail = trail();
        trail.record(AuditEvent.of("publish").name("real").result("ok"));

        assertThat(trail.since(null, 10)).extracting(AuditEvent::event).containsExactly("publish");
        assertThat(trail.since(Instant.parse("2026-01-01T00:00:00Z"), 10)).extracting(AuditEvent::event)
                .containsExactly("publish");
        trail.close();
    }

    @Test
    void aLinkAsTheStateFolderIsRefusedNothingWrittenOrDeletedThere() throws Exception {
        Files.createDirectories(state.getParent());
        Files.writeString(victim.resolve("audit-20200101T000000000Z.jsonl"), PRECIOUS);
        Files.createSymbolicLink(state, victim);
        JsonlAuditTrail trail = trail();

        trail.record(AuditEvent.of("publish").name("x").result("ok"));
        trail.cleanup();
        trail.close();

        try (var listed = Files.list(victim)) {
            assertThat(listed).containsExactlyInAnyOrder(victim.resolve("notes.txt"),
                    victim.resolve("audit-20200101T000000000Z.jsonl"));
        }
        assertThat(Files.readString(victim.resolve("notes.txt"))).isEqualTo(PRECIOUS);
    }
}
