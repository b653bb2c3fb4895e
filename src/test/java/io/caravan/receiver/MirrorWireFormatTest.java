package io.caravan.receiver;

import static io.caravan.receiver.ReceiverCalls.error;
import static io.caravan.receiver.ReceiverCalls.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JSON of {@code GET /mirror} and {@code POST /mirror/changes} as senders read it: the fields and
 * their order, a link with its target and nothing else, a folder with size 0, checksums only when
 * asked for, and the refusals of a body that is not a change request.
 */
class MirrorWireFormatTest {

    @TempDir
    static Path tmp;
    @RegisterExtension
    static final RunningReceiver RUNNING = RunningReceiver.at(() -> tmp.resolve("inbox"));
    static ReceiverFixture receiver;

    @BeforeAll
    static void startReceiver(ReceiverFixture started) {
        receiver = started;
    }

    @Test
    void theListingNamesEachEntrysFieldsInOrder() throws Exception {
        Path mirror = Files.createDirectories(receiver.inbox().resolve("listed/folder"));
        Files.writeString(mirror.resolve("a.txt"), "abc");
        Files.setPosixFilePermissions(mirror.resolve("a.txt"), PosixFilePermissions.fromString("rw-r-----"));
        Files.createSymbolicLink(mirror.resolve("link"), Path.of("a.txt"));

        JsonNode plain = ok(receiver.get("/mirror?name=listed"), 200);
        assertThat(fields(plain)).containsExactly("name", "entries");
        assertThat(plain.get("name").asText()).isEqualTo("listed");
        JsonNode folder = entry(plain, "folder");
        assertThat(fields(folder)).containsExactly("path", "type", "size", "mtime", "mode");
        assertThat(folder.get("type").asText()).isEqualTo("dir");
        assertThat(folder.get("size").asLong()).isZero();
        JsonNode file = entry(plain, "folder/a.txt");
        assertThat(fields(file)).containsExactly("path", "type", "size", "mtime", "mode");
        assertThat(file.get("size").asLong()).isEqualTo(3);
        assertThat(file.get("mode").asInt()).isEqualTo(0640);
        assertThat(file.get("mtime").asLong()).isEqualTo(Files.getLastModifiedTime(mirror.resolve("a.txt")).toMillis());
        JsonNode link = entry(plain, "folder/link");
        assertThat(fields(link)).containsExactly("path", "type", "target");
        assertThat(link.get("target").asText()).isEqualTo("a.txt");

        JsonNode checked = ok(receiver.get("/mirror?name=listed&checksum=true"), 200);
        assertThat(fields(entry(checked, "folder/a.txt"))).containsExactly("path", "type", "size", "mtime", "mode", "sha256");
        assertThat(entry(checked, "folder/a.txt").get("sha256").asText())
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(fields(entry(checked, "folder"))).doesNotContain("sha256");

        JsonNode absent = ok(receiver.get("/mirror?name=not-yet"), 200);
        assertThat(absent.toString()).isEqualTo("{\"name\":\"not-yet\",\"entries\":[]}");
    }

    @Test
    void changesAnswerWhatWasRenamedDeletedAndSkipped() throws Exception {
        Path mirror = Files.createDirectories(receiver.inbox().resolve("changed"));
        Files.writeString(mirror.resolve("a.txt"), "a");
        Files.writeString(mirror.resolve("b.txt"), "b");

        JsonNode answer = ok(receiver.post("/mirror/changes?name=changed", """
                {"rename": [{"from": "a.txt", "to": "sub/a.txt"}, {"from": "gone", "to": "x"}],
                 "delete": ["b.txt"]}"""), 200);

        assertThat(fields(answer)).containsExactly("renamed", "deleted", "skipped");
        assertThat(answer.get("renamed").toString()).isEqualTo("[\"a.txt -> sub/a.txt\"]");
        assertThat(answer.get("deleted").toString()).isEqualTo("[\"b.txt\"]");
        assertThat(answer.get("skipped")).hasSize(1);
        assertThat(fields(answer.get("skipped").get(0))).containsExactlyInAnyOrder("path", "reason");
        assertThat(answer.get("skipped").get(0).get("path").asText()).isEqualTo("gone");
        assertThat(answer.get("skipped").get(0).get("reason").asText()).isEqualTo("not in the mirror");
        assertThat(mirror.resolve("sub/a.txt")).hasContent("a");

        assertThat(ok(receiver.post("/mirror/changes?name=changed", ""), 200).toString())
                .isEqualTo("{\"renamed\":[],\"deleted\":[],\"skipped\":[]}");
        assertThat(error(receiver.post("/mirror/changes?name=changed", "{not json"), 400, "bad_request")
                .get("message").asText()).startsWith("the body is not valid JSON: ").contains("(at line 1, column ");
        // the parser's words, never the names of its classes and settings
        assertThat(error(receiver.post("/mirror/changes?name=changed", "[".repeat(1100)), 400, "bad_request")
                .get("message").asText()).startsWith("the body is not valid JSON: ").contains("nesting depth")
                .doesNotContain("StreamReadConstraints").doesNotContain("`");
        assertThat(error(receiver.post("/mirror/changes?name=changed", "[\"b.txt\"]"), 400, "bad_request")
                .get("message").asText()).isEqualTo("send {\"rename\":[{\"from\":..,\"to\":..}], \"delete\":[paths]}");
        error(receiver.post("/mirror/changes?name=changed", "{\"rename\":[{\"from\":\"sub/a.txt\"}]}"), 400, null);
        assertThat(mirror.resolve("sub/a.txt")).hasContent("a");
    }

    @Test
    void pathsThatAreNotJsonStringsAreRefusedNamingTheField() throws Exception {
        Path mirror = Files.createDirectories(receiver.inbox().resolve("typed"));
        for (String name : List.of("null", "123", "true", "x")) {
            Files.writeString(mirror.resolve(name), name);
        }
        Map<String, String> refused = Map.of(
                "{\"delete\":[null]}", "delete[0]",
                "{\"delete\":[123]}", "delete[0]",
                "{\"delete\":[\"x\", true]}", "delete[1]",
                "{\"delete\":\"x\"}", "delete",
                "{\"rename\":[{\"from\":null,\"to\":\"y\"}]}", "rename[0].from",
                "{\"rename\":[{\"from\":\"x\",\"to\":123}]}", "rename[0].to",
                "{\"rename\":[{\"from\":\"x\",\"to\":\"y\",\"sha256\":1}]}", "rename[0].sha256",
                "{\"rename\":[\"x\"]}", "rename[0]",
                "{\"rename\":{\"from\":\"x\",\"to\":\"y\"}}", "rename");
        for (Map.Entry<String, String> body : refused.entrySet()) {
            String message = error(receiver.post("/mirror/changes?name=typed", body.getKey()), 400, "bad_request")
                    .get("message").asText();
            assertThat(message).as(body.getKey()).startsWith(body.getValue() + " must be ");
        }
        try (var left = Files.list(mirror)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("null", "123", "true", "x");
        }
        assertThat(error(receiver.post("/start", "{\"name\":123}"), 400, "bad_request").get("message").asText())
                .startsWith("name must be ");
        assertThat(error(receiver.post("/check", "[\"ab\", 1]"), 400, "bad_request").get("message").asText())
                .startsWith("hashes[1] must be ");
    }

    private static JsonNode entry(JsonNode listing, String path) {
        for (JsonNode entry : listing.get("entries")) {
            if (entry.get("path").asText().equals(path)) {
                return entry;
            }
        }
        throw new AssertionError("no entry " + path + " in " + listing);
    }

    private static List<String> fields(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
