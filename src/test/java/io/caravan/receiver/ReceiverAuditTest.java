package io.caravan.receiver;

import static io.caravan.receiver.ReceiverCalls.error;
import static io.caravan.receiver.ReceiverCalls.finish;
import static io.caravan.receiver.ReceiverCalls.ok;
import static io.caravan.receiver.ReceiverCalls.putAll;
import static io.caravan.receiver.ReceiverCalls.range;
import static io.caravan.receiver.ReceiverCalls.startArchive;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.receiver.ReceiverCalls.Parcel;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real receiver writes one JSON line per event to {@code .caravan/audit.jsonl} (session start,
 * publish with bytes and SHA-256, rejection with its code, authentication failure with the client's
 * address), names escaped, rotated by size, and serves the lines at {@code GET /audit?since=}.
 */
class ReceiverAuditTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] GOOD = {"Authorization", "Bearer secret"};

    @TempDir
    Path tmp;
    @RegisterExtension
    final RunningReceiver running = RunningReceiver.at(() -> tmp.resolve("inbox")).token("secret")
            .property("caravan.receiver.audit.max-size", "2KiB").property("caravan.receiver.max-chunk-size", "1MiB")
            .property("caravan.receiver.audit.auth-failure-interval", "1s");
    ReceiverFixture receiver;

    @BeforeEach
    void started(ReceiverFixture started) {
        receiver = started;
    }

    @Test
    void aSendLeavesAStartAndAPublishLineWithBytesAndSha256() throws Exception {
        Parcel parcel = ReceiverCalls.smallParcel(tmp, "audited", 150_000, 3);
        String sid = startArchive(receiver, "audited", Map.of(), GOOD);
        putAll(receiver, sid, parcel, range(0, parcel.parts().size()), GOOD);
        JsonNode published = ok(finish(receiver, sid, parcel, GOOD), 200);

        JsonNode start = awaitLine("session_start", sid);
        assertThat(start.get("name").asText()).isEqualTo("audited");
        assertThat(start.get("client").asText()).isEqualTo("127.0.0.1");
        assertThat(start.get("result").asText()).isEqualTo("ok");
        assertThat(Instant.parse(start.get("time").asText())).isNotNull();
        JsonNode publish = awaitLine("publish", sid);
        assertThat(publish.get("name").asText()).isEqualTo(published.get("path").asText());
        assertThat(publish.get("bytes").asLong()).isEqualTo(published.get("bytes").asLong());
        assertThat(publish.get("sha256").asText()).isEqualTo(parcel.manifest().sha256());
        assertThat(publish.get("duration_ms").asLong()).isNotNegative();
        assertThat(publish.get("result").asText()).isEqualTo("ok");
    }

    @Test
    void aChunkWhoseSha256DoesNotMatchLeavesARejectionLineWithItsCode() throws Exception {
        String sid = startArchive(receiver, "bad-chunk", Map.of(), GOOD);
        String code = error(receiver.put("/upload/" + sid + "/0", new byte[] {1, 2, 3},
                "X-Chunk-Sha256", "0".repeat(64), GOOD[0], GOOD[1]), 422, "chunk_digest_mismatch").get("error").asText();
        JsonNode rejection = awaitLine("rejection", sid);
        assertThat(rejection.get("result").asText()).isEqualTo(code);
        assertThat(rejection.get("client").asText()).isEqualTo("127.0.0.1");
    }

    @Test
    void aBodyRefusedFromItsHeadersLeavesARejectionLine() throws Exception {
        String sid = startArchive(receiver, "too-large", Map.of(), GOOD);
        error(receiver.put("/upload/" + sid + "/0", new byte[3 << 20], GOOD), 413, "body_too_large");
        JsonNode rejection = awaitLine("rejection", null);
        assertThat(rejection.get("result").asText()).isEqualTo("body_too_large");
        assertThat(rejection.get("name").asText()).isEqualTo("/upload/" + sid + "/0");
        assertThat(rejection.get("client").asText()).isEqualTo("127.0.0.1");
    }

    @Test
    void aMirrorChangeLeavesALineNamingTheMirror() throws Exception {
        Path mirror = Files.createDirectories(receiver.inbox().resolve("mirrored"));
        Files.writeString(mirror.resolve("a.txt"), "a");
        ok(receiver.send("POST", "/mirror/changes?name=mirrored", "{\"delete\": [\"a.txt\"]}".getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/json", GOOD[0], GOOD[1]), 200);
        JsonNode change = awaitLine("mirror_change", null);
        assertThat(change.get("name").asText()).isEqualTo("mirrored");
        assertThat(change.get("client").asText()).isEqualTo("127.0.0.1");
        assertThat(change.get("result").asText()).isEqualTo("ok");
    }

    @Test
    void aWrongTokenLeavesAnAuthenticationFailureLineWithTheClientAddress() throws Exception {
        error(receiver.send("POST", "/start", "{}".getBytes(StandardCharsets.UTF_8), "Authorization", "Bearer wrong",
                "Content-Type", "application/json"), 401, "unauthorized");
        JsonNode failure = awaitLine("auth_failure", null);
        assertThat(failure.get("client").asText()).isEqualTo("127.0.0.1");
        assertThat(failure.get("name").asText()).isEqualTo("/start");
        assertThat(failure.get("result").asText()).isEqualTo("unauthorized");
    }

    @Test
    void aHostileNameIsEscapedSoEachEventStaysOneLine() throws Exception {
        String hostile = "x\"\n{\"event\":\"publish\"}\u0001";
        error(receiver.send("POST", "/start", ("{\"codec\":\"zstd\",\"name\":" + JSON.writeValueAsString(hostile) + "}")
                .getBytes(StandardCharsets.UTF_8), "Content-Type", "application/json", GOOD[0], GOOD[1]), 400, null);
        JsonNode rejection = awaitLine("rejection", null);
        assertThat(rejection.get("name").asText()).contains("\n{\"event\"");
        for (String line : Files.readAllLines(audit())) {
            assertThat(JSON.readTree(line).has("event")).as(line).isTrue();
        }
        assertThat(lines()).noneMatch(l -> l.get("event").asText().equals("publish"));
    }

    @Test
    void theTrailRotatesBySizeAndIsServedSinceATime() throws Exception {
        Instant before = Instant.now().minusSeconds(1);
        for (int i = 0; i < 40; i++) {
            startArchive(receiver, "rotating-" + i, Map.of(), GOOD);
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> rotated().size() >= 2);
        JsonNode page = ok(receiver.send("GET", "/audit?since=" + URLEncoder.encode(before.toString(), StandardCharsets.UTF_8)
                + "&limit=25", null, GOOD), 200);
        assertThat(page.isArray()).isTrue();
        assertThat(page.size()).isEqualTo(25);
        assertThat(page.get(0).get("name").asText()).isEqualTo("rotating-0");
        assertThat(page.get(24).get("name").asText()).isEqualTo("rotating-24");
        JsonNode rest = ok(receiver.send("GET", "/audit?since=" + URLEncoder.encode(page.get(24).get("time").asText(),
                StandardCharsets.UTF_8) + "&limit=100", null, GOOD), 200);
        assertThat(rest.get(rest.size() - 1).get("name").asText()).isEqualTo("rotating-39");
        error(receiver.send("GET", "/audit", null), 401, "unauthorized");
    }

    @Test
    void anUnauthenticatedFloodCostsAFewShortLinesEachSummingUpTheFailures() throws Exception {
        int requests = 300;
        String path = "/x" + "A".repeat(10_000);
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", receiver.port())) {
            socket.setSoTimeout(10_000);
            java.io.InputStream in = new java.io.BufferedInputStream(socket.getInputStream());
            for (int i = 0; i < requests; i++) {
                socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                // past its burst of wrong tokens the client is slowed: 429, summed up with the failures
                assertThat(RawAnswer.read(in).statusLine()).startsWith(i < WrongTokenLimit.BURST ? "HTTP/1.1 401" : "HTTP/1.1 429");
            }
        }
        // the first failure of the client is a line at once, the others one line with their count after the interval
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> failures().stream()
                .mapToLong(l -> l.path("count").asLong(1)).sum() == requests);
        List<JsonNode> failures = failures();
        assertThat(failures.size()).isLessThanOrEqualTo(3);
        assertThat(failures).allSatisfy(l -> {
            assertThat(l.get("client").asText()).isEqualTo("127.0.0.1");
            assertThat(l.get("name").asText().length()).isLessThan(300);
            assertThat(l.get("name").asText()).startsWith("/xAAAA").contains("10002 characters");
        });
        long onDisk = 0;
        for (Path file : Stream.concat(rotated().stream(), Stream.of(audit())).filter(Files::exists).toList()) {
            onDisk += Files.size(file);
        }
        assertThat(onDisk).isLessThan(4096);
    }

    private List<JsonNode> failures() throws Exception {
        List<JsonNode> all = new ArrayList<>();
        for (Path file : Stream.concat(rotated().stream(), Stream.of(audit())).filter(Files::exists).toList()) {
            for (String line : Files.readAllLines(file)) {
                JsonNode node = JSON.readTree(line);
                if (node.get("event").asText().equals("auth_failure")) {
                    all.add(node);
                }
            }
        }
        return all;
    }

    private Path audit() {
        return receiver.inbox().resolve(".caravan/audit.jsonl");
    }

    private List<Path> rotated() throws Exception {
        try (Stream<Path> files = Files.list(audit().getParent())) {
            return files.filter(p -> p.getFileName().toString().matches("audit-.*\\.jsonl")).toList();
        }
    }

    private List<JsonNode> lines() throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        if (Files.exists(audit())) {
            for (String line : Files.readAllLines(audit())) {
                lines.add(JSON.readTree(line));
            }
        }
        return lines;
    }

    private JsonNode awaitLine(String event, String session) {
        JsonNode[] found = new JsonNode[1];
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> {
            for (JsonNode line : lines()) {
                if (line.get("event").asText().equals(event)
                        && (session == null || session.equals(line.path("session").asText()))) {
                    found[0] = line;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }
}
