package io.caravan.receiver;

import static io.caravan.receiver.ReceiverCalls.error;
import static io.caravan.receiver.ReceiverCalls.ok;
import static io.caravan.receiver.ReceiverCalls.put;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every request gets an answer: a JSON body is read as JSON whatever its declared type, client
 * errors (bad names, names in the way of a file, mirror renames into themselves, unknown paths and
 * methods) are 4xx with the JSON error body, never 500 and never a closed connection.
 */
class ReceiverAnswersEveryRequestTest {

    @TempDir
    static Path tmp;
    @RegisterExtension
    static final RunningReceiver RUNNING = RunningReceiver.at(() -> tmp.resolve("inbox"));
    static ReceiverFixture receiver;

    @BeforeAll
    static void startReceiver(ReceiverFixture started) throws Exception {
        receiver = started;
    }

    private static HttpResponse<String> post(String path, String body, String contentType) throws Exception {
        byte[] bytes = body == null ? null : body.getBytes(StandardCharsets.UTF_8);
        return contentType == null ? receiver.send("POST", path, bytes) : receiver.send("POST", path, bytes, "Content-Type", contentType);
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x",
        "application/octet-stream", "none"})
    void aJsonBodyIsReadAsJsonWhateverItsDeclaredType(String type) throws Exception {
        String name = "typed-" + type.replaceAll("[^a-z]", "");
        JsonNode started = ok(post("/start", "{\"name\":\"" + name + "\"}", type.equals("none") ? null : type), 201);
        String sid = started.get("session_id").asText();
        ok(put(receiver, sid, 0, "hello".getBytes(StandardCharsets.UTF_8)), 201);
        JsonNode finished = ok(post("/finish/" + sid, "", type.equals("none") ? null : type), 200);
        assertThat(finished.get("path").asText()).isEqualTo(name);
        assertThat(receiver.inbox().resolve(name)).hasContent("hello");
        ok(post("/check", "[\"" + "0".repeat(64) + "\"]", type.equals("none") ? null : type), 200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "[]", "7", "\"text\""})
    void aFinishWhoseManifestIsNotAnObjectIs400(String manifest) throws Exception {
        String sid = ok(post("/start", "{\"codec\":\"zstd\",\"name\":\"not-an-object\"}", "application/json"), 201)
                .get("session_id").asText();
        JsonNode answer = ReceiverCalls.JSON.readTree(post("/finish/" + sid, manifest, "application/json").body());
        assertThat(answer.get("error").asText()).isEqualTo("manifest");
        assertThat(answer.get("message").asText()).contains("manifest");
        ok(receiver.get("/status/" + sid), 200); // the session is kept
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"abc\"", "1.5", "-1", "true", "[1]"})
    void aChunkSizeThatIsNoWholeNumberIs400(String value) throws Exception {
        JsonNode answer = error(post("/start", "{\"name\":\"sized\",\"chunk_size\":" + value + "}", "application/json"),
                400, "bad_request");
        assertThat(answer.get("message").asText()).contains("chunk_size");
    }

    @Test
    void unknownPathsAndMethodsAreJsonErrors() throws Exception {
        JsonNode unknown = error(receiver.get("/nothing/here"), 404, "not_found");
        assertThat(unknown.get("message").asText()).contains("/nothing/here");
        error(receiver.send("PUT", "/start", new byte[] {1}), 405, "method_not_allowed");
    }

    @ParameterizedTest
    @ValueSource(strings = {"new\nline", "tab\there", "bell\u0007", "del\u007f", "esc\u001b[31m", "dir/cr\r"})
    void namesWithControlCharactersAre400NamingTheRule(String name) throws Exception {
        JsonNode answer = error(receiver.post("/start", ReceiverCalls.JSON.writeValueAsString(Map.of("name", name))),
                400, "bad_request");
        assertThat(answer.get("message").asText()).contains("control character");
        error(receiver.get("/mirror?name=" + java.net.URLEncoder.encode(name, StandardCharsets.UTF_8)), 400, "bad_request");
    }

    @Test
    void aNameSegmentOver255BytesIs400NamingTheLimit() throws Exception {
        String longSegment = "x".repeat(300);
        JsonNode answer = error(receiver.post("/start", "{\"name\":\"a/" + longSegment + "/b\"}"), 400, "bad_request");
        assertThat(answer.get("message").asText()).contains("255 bytes");
        // 100 three-byte characters are 300 bytes: the limit is in bytes, not characters
        error(receiver.post("/start", "{\"name\":\"" + "€".repeat(100) + "\"}"), 400, "bad_request");
        ok(receiver.post("/start", "{\"name\":\"" + "x".repeat(255) + "\"}"), 201);
    }

    @Test
    void aNameUnderAnExistingFileIs409() throws Exception {
        Files.writeString(receiver.inbox().resolve("plain.txt"), "a file, not a folder");
        String sid = ok(receiver.post("/start", "{\"name\":\"plain.txt/inside.bin\"}"), 201).get("session_id").asText();
        ok(put(receiver, sid, 0, "data".getBytes(StandardCharsets.UTF_8)), 201);
        JsonNode answer = error(receiver.send("POST", "/finish/" + sid, null), 409, null);
        assertThat(answer.get("message").asText()).contains("plain.txt");
        assertThat(receiver.inbox().resolve("plain.txt")).hasContent("a file, not a folder");
    }

    @Test
    void aMirrorRenameIntoItselfIsAClientError() throws Exception {
        Path mirror = Files.createDirectories(receiver.inbox().resolve("mirror-self/folder/sub"));
        Files.writeString(mirror.resolve("f.txt"), "kept");
        HttpResponse<String> answer = receiver.post("/mirror/changes?name=mirror-self",
                "{\"rename\":[{\"from\":\"folder\",\"to\":\"folder/sub/folder\"}]}");
        assertThat(answer.statusCode()).as(answer.body()).isBetween(400, 409);
        error(answer, answer.statusCode(), null);
        assertThat(mirror.resolve("f.txt")).hasContent("kept");
    }

    @Test
    void theConnectionStaysUsableAfterEachAnswer() throws IOException, Exception {
        for (int i = 0; i < 3; i++) {
            ok(post("/start", "{}", "application/x-www-form-urlencoded"), 201);
            error(receiver.get("/nothing"), 404, null);
        }
    }
}
