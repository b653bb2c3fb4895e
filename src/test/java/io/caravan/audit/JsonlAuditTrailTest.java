package io.caravan.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.SettableClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonlAuditTrailTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final SettableClock clock = new SettableClock(Instant.parse("2026-01-05T10:00:00Z"));

    @Test
    void aHostileNameStaysOneLineAndOneField() throws IOException {
        JsonlAuditTrail trail = new JsonlAuditTrail(dir, 1 << 20, Duration.ofDays(30), clock);
        String hostile = "evil\"\n{\"event\":\"publish\",\"result\":\"ok\"}\r\u0000\u2028x";
        trail.record(AuditEvent.of("session_start").client("10.0.0.1").name(hostile).result("ok"));
        trail.record(AuditEvent.of("publish").name("plain").bytes(5L).sha256("ab").result("ok"));

        List<String> lines = Files.readAllLines(dir.resolve(JsonlAuditTrail.FILE), StandardCharsets.UTF_8);
        assertThat(lines).hasSize(2);
        JsonNode first = JSON.readTree(lines.get(0));
        assertThat(first.get("event").asText()).isEqualTo("session_start");
        assertThat(first.get("name").asText()).isEqualTo(hostile);
        assertThat(first.get("time").asText()).isEqualTo("2026-01-05T10:00:00Z");
        assertThat(JSON.readTree(lines.get(1)).get("bytes").asLong()).isEqualTo(5);
    }

    @Test
    void nameCharactersThatBreakOrDriveALineReaderAreEscapedInTheFile() throws IOException {
        JsonlAuditTrail trail = new JsonlAuditTrail(dir, 1 << 20, Duration.ofDays(30), clock);
        // C1 controls (CSI, NEL), the line and paragraph separators, bidirectional overrides; plain Unicode kept
        String hostile = "csi\u009b31m nel\u0085 ls\u2028ps\u2029 invoice\u202Efdp.exe \u2066iso\u2069 caf\u00e9 \u65e5\u672c";
        trail.record(AuditEvent.of("publish").name(hostile).result("ok"));

        String text = Files.readString(dir.resolve(JsonlAuditTrail.FILE), StandardCharsets.UTF_8);
        assertThat(text.lines().toList()).as("what splitlines() and terminals see").hasSize(1);
        assertThat(text.chars().filter(c -> c != '\n' && (Character.isISOControl(c) || c == 0x2028 || c == 0x2029
                || c >= 0x202A && c <= 0x202E || c >= 0x2066 && c <= 0x2069))).isEmpty();
        assertThat(text).contains("\\u009b31m", "\\u202e", "caf\u00e9 \u65e5\u672c");
        assertThat(JSON.readTree(text.strip()).get("name").asText()).as("the same name, read back").isEqualTo(hostile);
    }

    @Test
    void rotatesBySizeAndDeletesRotatedFilesPastTheirKeep() throws IOException {
        JsonlAuditTrail trail = new JsonlAuditTrail(dir, 1000, Duration.ofDays(2), clock);
        for (int i = 0; i < 30; i++) {
            trail.record(AuditEvent.of("download").name("parcel-" + i).result("ok"));
            clock.advance(Duration.ofSeconds(1));
        }
        List<Path> rotated = rotated();
        assertThat(rotated).isNotEmpty();
        assertThat(rotated).allSatisfy(p -> assertThat(p.getFileName().toString()).matches("audit-\\d{8}T\\d{6}\\d*Z\\.jsonl"));
        assertThat(Files.size(dir.resolve(JsonlAuditTrail.FILE))).isLessThan(1000);
        long lines = 0;
        for (Path p : Stream.concat(rotated.stream(), Stream.of(dir.resolve(JsonlAuditTrail.FILE))).toList()) {
            lines += Files.readAllLines(p).size();
        }
        assertThat(lines).isEqualTo(30);

        clock.advance(Duration.ofDays(3));
        trail.cleanup();
        assertThat(rotated()).isEmpty();
    }

    /**
     * A trail file removed while the trail holds it open (by hand, a log rotation that moves it away, an
     * {@code rm -rf} of the state folder) is made again at the next line: before, every later line went into
     * the removed file, and the audit trail silently lost them.
     */
    @Test
    void aTrailFileRemovedWhileHeldOpenIsMadeAgainAtTheNextLine() throws IOException {
        Path state = dir.resolve("state");
        JsonlAuditTrail trail = new JsonlAuditTrail(state, 1 << 20, Duration.ofDays(30), clock);
        trail.record(AuditEvent.of("publish").name("before").result("ok"));

        Files.move(state.resolve(JsonlAuditTrail.FILE), dir.resolve("moved.jsonl"));
        trail.record(AuditEvent.of("publish").name("after-move").result("ok"));
        assertThat(Files.readString(state.resolve(JsonlAuditTrail.FILE))).contains("after-move").doesNotContain("before");

        try (io.caravan.fs.ConfinedDir parent = io.caravan.fs.ConfinedDir.open(dir)) {
            parent.deleteTree("state");
        }
        trail.record(AuditEvent.of("publish").name("after-removal").result("ok"));
        assertThat(Files.readString(state.resolve(JsonlAuditTrail.FILE))).contains("after-removal");
        trail.close();
    }

    @Test
    void rotatesWhenTheDayChanges() throws IOException {
        JsonlAuditTrail trail = new JsonlAuditTrail(dir, 1 << 20, Duration.ofDays(30), clock);
        trail.record(AuditEvent.of("publish").name("a").result("ok"));
        clock.advance(Duration.ofDays(1));
        trail.record(AuditEvent.of("publish").name("b").result("ok"));
        assertThat(rotated()).hasSize(1);
        assertThat(Files.readAllLines(dir.resolve(JsonlAuditTrail.FILE))).hasSize(1);
    }

    @Test
    void readsSinceATimeNewestLastAcrossRotatedFilesWithinTheLimit() throws IOException {
        JsonlAuditTrail trail = new JsonlAuditTrail(dir, 600, Duration.ofDays(30), clock);
        Instant start = clock.instant();
        IntStream.range(0, 20).forEach(i -> {
            trail.record(AuditEvent.of("publish").name("p" + i).result("ok"));
            clock.advance(Duration.ofSeconds(1));
        });
        assertThat(rotated()).isNotEmpty();
        List<AuditEvent> after = trail.since(start.plusSeconds(4), 5);
        assertThat(after).extracting(AuditEvent::name).containsExactly("p5", "p6", "p7", "p8", "p9");
        assertThat(trail.since(null, 3)).extracting(AuditEvent::name).containsExactly("p17", "p18", "p19");
        assertThat(trail.since(start.minusSeconds(1), 100_000)).hasSize(20);
    }

    @Test
    void theTrailsFilesTogetherStayWithinTheirTotalOldestRotatedGoingFirst() throws IOException {
        JsonlAuditTrail trail = new JsonlAuditTrail(dir, 1000, 4000, Duration.ofDays(30), 0, clock);
        for (int i = 0; i < 300; i++) {
            trail.record(AuditEvent.of("download").name("parcel-" + i).result("ok"));
            clock.advance(Duration.ofMillis(10));
        }
        long total = 0;
        for (Path p : Stream.concat(rotated().stream(), Stream.of(dir.resolve(JsonlAuditTrail.FILE))).filter(Files::exists).toList()) {
            total += Files.size(p);
        }
        assertThat(total).isLessThanOrEqualTo(4000);
        assertThat(trail.since(null, 1).get(0).name()).isEqualTo("parcel-299");
        List<AuditEvent> kept = trail.since(Instant.EPOCH, 1000);
        assertThat(kept).isNotEmpty();
        assertThat(kept.get(0).name()).isNotEqualTo("parcel-0");
    }

    @Test
    void belowTheFreeSpaceFloorNoLineIsWrittenAndEachIsCountedAsDropped() throws IOException {
        JsonlAuditTrail trail = new JsonlAuditTrail(dir, 1 << 20, 1L << 30, Duration.ofDays(30), Long.MAX_VALUE / 2, clock);
        for (int i = 0; i < 5; i++) {
            trail.record(AuditEvent.of("auth_failure").name("/x").result("unauthorized"));
        }
        assertThat(dir.resolve(JsonlAuditTrail.FILE)).satisfiesAnyOf(p -> assertThat(p).doesNotExist(), p -> assertThat(p).isEmptyFile());
        assertThat(trail.dropped()).isEqualTo(5);
    }

    @Test
    void theTailIsTheLastEventsWithinItsBytesAcrossFilesOldestFirst() throws IOException {
        JsonlAuditTrail trail = new JsonlAuditTrail(dir, 600, Duration.ofDays(30), clock);
        IntStream.range(0, 40).forEach(i -> {
            trail.record(AuditEvent.of("publish").name("p" + i).result("ok"));
            clock.advance(Duration.ofSeconds(1));
        });
        List<AuditEvent> tail = trail.tail(1000);
        assertThat(tail).isNotEmpty().hasSizeLessThan(40);
        assertThat(tail.get(tail.size() - 1).name()).isEqualTo("p39");
        assertThat(tail).extracting(AuditEvent::name)
                .containsExactlyElementsOf(IntStream.range(40 - tail.size(), 40).mapToObj(i -> "p" + i).toList());
        assertThat(trail.tail(1 << 20)).hasSize(40);

        List<AuditEvent> seen = new java.util.ArrayList<>();
        trail.onRecord(seen::add, 1 << 20);
        trail.record(AuditEvent.of("publish").name("after").result("ok"));
        assertThat(seen).hasSize(41);
        assertThat(seen.get(40).name()).isEqualTo("after");
        assertThat(seen.get(40).time()).isNotNull();
    }

    private List<Path> rotated() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith("audit-")).sorted().toList();
        }
    }
}
