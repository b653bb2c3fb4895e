package io.caravan.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.caravan.SettableClock;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /audit} without {@code since} ({@link JsonlAuditTrail#since} with null) reads the trail back
 * from its end, only as far as the last {@code limit} events (and at most {@link JsonlAuditTrail#MAX_TAIL_BYTES}),
 * never the whole file: the last events of a 64 GiB trail (a sparse one here, all but its end a hole) come
 * at once. Lines too long to be an event, lines cut short and rotated files are read back as forward.
 */
class AuditTailReadTest {

    @TempDir
    Path dir;

    private final SettableClock clock = new SettableClock(Instant.parse("2026-01-05T10:00:00Z"));

    @Test
    void theLastEventsOfAHugeTrailAreReadFromItsEndOnly() throws Exception {
        JsonlAuditTrail trail = new JsonlAuditTrail(dir, 1L << 40, Duration.ofDays(30), clock);
        trail.record(AuditEvent.of("publish").name("first").result("ok"));
        trail.close();
        try (RandomAccessFile file = new RandomAccessFile(dir.resolve(JsonlAuditTrail.FILE).toFile(), "rw")) {
            file.setLength(64L << 30); // a hole: 64 GiB of NUL bytes, one line longer than any event
            file.seek(file.length());
            file.write("\n".getBytes(StandardCharsets.US_ASCII));
        }
        // written "today" by the trail's clock, so the next line is appended, not the file rotated
        Files.setLastModifiedTime(dir.resolve(JsonlAuditTrail.FILE), java.nio.file.attribute.FileTime.from(clock.instant()));
        IntStream.range(0, 5).forEach(i -> {
            clock.advance(Duration.ofSeconds(1));
            trail.record(AuditEvent.of("publish").name("p" + i).result("ok"));
        });

        List<AuditEvent> last = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> trail.since(null, 3));

        assertThat(last).extracting(AuditEvent::name).containsExactly("p2", "p3", "p4");
        assertThat(Files.size(dir.resolve(JsonlAuditTrail.FILE))).as("one file, not rotated").isGreaterThan(64L << 30);
    }

    @Test
    void readingBackSkipsLinesTooLongOrCutShortAndCrossesIntoRotatedFiles() throws Exception {
        JsonlAuditTrail trail = new JsonlAuditTrail(dir, 600, Duration.ofDays(30), clock);
        IntStream.range(0, 30).forEach(i -> {
            clock.advance(Duration.ofSeconds(1));
            trail.record(AuditEvent.of("publish").name("p" + i).result("ok"));
        });
        trail.close();
        Path current = dir.resolve(JsonlAuditTrail.FILE);
        Files.writeString(current, "x".repeat(200_000) + "\n{\"cut\":", java.nio.file.StandardOpenOption.APPEND);

        List<AuditEvent> all = trail.since(null, 1000);
        List<AuditEvent> last = trail.since(null, 12);

        assertThat(all).extracting(AuditEvent::name)
                .containsExactlyElementsOf(IntStream.range(0, 30).mapToObj(i -> "p" + i).toList());
        assertThat(last).extracting(AuditEvent::name)
                .containsExactlyElementsOf(IntStream.range(18, 30).mapToObj(i -> "p" + i).toList());
        try (var files = Files.list(dir)) {
            assertThat(files.count()).as("rotated files read back").isGreaterThan(2);
        }
    }
}
