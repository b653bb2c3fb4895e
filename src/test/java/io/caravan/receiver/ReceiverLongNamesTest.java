package io.caravan.receiver;

import static io.caravan.receiver.ReceiverCalls.error;
import static io.caravan.receiver.ReceiverCalls.inboxEntries;
import static io.caravan.receiver.ReceiverCalls.ok;
import static io.caravan.receiver.ReceiverCalls.put;
import static io.caravan.receiver.ReceiverCalls.startArchive;
import static io.caravan.receiver.ReceiverCalls.startBody;
import static io.caravan.receiver.ReceiverCalls.status;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.fs.NameRules;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Names at and over the length limits: a rename of a 255-byte name publishes beside it under a
 * shortened name, and a name (or a name with an entry's path below it) over
 * {@value NameRules#MAX_PATH_BYTES} bytes is a 4xx JSON answer, never a 500, with nothing received lost.
 * An archive entry below the top-level name follows the same name rules as the name itself: a part
 * with a control character, a backslash, or a reserved name ({@code .caravan}, {@code .caravan-*}) at
 * any depth is refused with 422 naming the entry (escaped) and the rule, and nothing is published.
 */
class ReceiverLongNamesTest {

    @TempDir
    static Path tmp;
    @RegisterExtension
    static final RunningReceiver RUNNING = RunningReceiver.at(() -> tmp.resolve("inbox"));
    static ReceiverFixture receiver;

    @BeforeAll
    static void startReceiver(ReceiverFixture started) throws Exception {
        receiver = started;
    }

    private static int bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static void file(TarArchiveOutputStream tar, String name, String content) throws IOException {
        CraftedParcel.file(tar, name, content.getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode sendRaw(String name, String content) throws Exception {
        String start = ReceiverCalls.JSON.writeValueAsString(Map.of("name", name, "on_conflict", "rename"));
        String sid = ok(receiver.post("/start", start), 201).get("session_id").asText();
        ok(put(receiver, sid, 0, content.getBytes(StandardCharsets.UTF_8)), 201);
        return ok(receiver.send("POST", "/finish/" + sid, null), 200);
    }

    @Test
    void renamingAFileWhoseNameIs255BytesPublishesUnderAShortenedName() throws Exception {
        String name = "r".repeat(251) + ".txt";
        assertThat(sendRaw(name, "first").get("path").asText()).isEqualTo(name);

        String renamed = sendRaw(name, "second").get("path").asText();

        assertThat(bytes(renamed)).isLessThanOrEqualTo(NameRules.MAX_SEGMENT_BYTES);
        assertThat(renamed).startsWith("rrrr").endsWith(" (1).txt");
        assertThat(receiver.inbox().resolve(name)).hasContent("first");
        assertThat(receiver.inbox().resolve(renamed)).hasContent("second");
    }

    @Test
    void renamingAFolderWhoseNameIs255BytesPublishesUnderAShortenedName() throws Exception {
        String name = "é".repeat(127) + "d"; // 255 bytes
        CraftedParcel parcel = CraftedParcel.of(tar -> file(tar, "t/a.txt", "in the folder"), ReceiverCalls.CHUNK);
        for (int round = 0; round < 2; round++) {
            String sid = startArchive(receiver, name, Map.of("on_conflict", "rename"));
            parcel.upload(receiver, sid);
            String path = ok(parcel.finish(receiver, sid), 200).get("path").asText();
            if (round == 0) {
                assertThat(path).isEqualTo(name);
            } else {
                assertThat(bytes(path)).isLessThanOrEqualTo(NameRules.MAX_SEGMENT_BYTES);
                assertThat(path).endsWith(" (1)");
                assertThat(receiver.inbox().resolve(path).resolve("a.txt")).hasContent("in the folder");
            }
        }
    }

    @Test
    void aNameOfThousandsOfPartsIsRefusedAtStart() throws Exception {
        String name = "a/".repeat(2100) + "a";
        JsonNode refused = error(receiver.post("/start", startBody(name, Map.of())), 400, "bad_request");
        assertThat(refused.get("message").asText()).contains(NameRules.MAX_PATH_BYTES + " bytes");
        assertThat(inboxEntries(receiver)).doesNotContain("a");
    }

    /**
     * A body that is not UTF-8 (a byte no UTF-8 holds, an overlong encoding, an encoded surrogate) is refused, never
     * read with U+FFFD in place of its bytes: two names that differ only there would become one file.
     */
    @Test
    void aJsonBodyThatIsNotUtf8IsRefused() throws Exception {
        for (byte[] bad : List.of(new byte[] {(byte) 0xff}, new byte[] {(byte) 0xc0, (byte) 0xaf},
                new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80})) {
            java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
            body.writeBytes("{\"codec\":\"none\",\"name\":\"twin".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            body.writeBytes(bad);
            body.writeBytes(".txt\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            JsonNode refused = error(receiver.send("POST", "/start", body.toByteArray(), "Content-Type", "application/json"),
                    400, "bad_request");
            assertThat(refused.get("message").asText()).contains("POST /start").contains("not UTF-8").contains("at byte offset 28");
        }
        assertThat(inboxEntries(receiver)).noneMatch(entry -> entry.startsWith("twin"));
    }

    @Test
    void aNameWithAnUnpairedSurrogateIsRefusedAtStart() throws Exception {
        for (String escaped : List.of("sur\\ud800", "sur\\udc00x", "ok/\\ud83d")) {
            JsonNode refused = error(receiver.post("/start", "{\"name\":\"" + escaped + "\"}"), 400, "bad_request");
            assertThat(refused.get("message").asText()).as(escaped).contains("refused")
                    .contains("unpaired UTF-16 surrogates (here U+D").contains(escaped).doesNotContain("Malformed input");
        }
        assertThat(ok(receiver.post("/start", "{\"name\":\"pair\\ud83d\\ude00\"}"), 201).get("session_id").asText()).isNotEmpty();
    }

    @Test
    void anEntryPathOverTheLimitIsARefusedEntry() throws Exception {
        String entry = "p/" + "a/".repeat(2100) + "f";
        CraftedParcel parcel = CraftedParcel.of(tar -> file(tar, entry, "deep"), ReceiverCalls.CHUNK);
        String sid = startArchive(receiver, "deep-entry");
        ok(put(receiver, sid, 0, parcel.parts().get(0)), 201);

        JsonNode refused = error(parcel.finish(receiver, sid), 422, null);
        assertThat(refused.get("entry").asText()).isEqualTo(entry);
        assertThat(refused.get("message").asText()).contains(NameRules.MAX_PATH_BYTES + " bytes");
        assertThat(inboxEntries(receiver)).doesNotContain("deep-entry");
    }

    @Test
    void aNameAndTheEntriesBelowItTogetherOverTheLimitAre400AndTheSessionIsKept() throws Exception {
        String name = "nnnnnnnnn/".repeat(250) + "x"; // 2501 bytes, 251 parts
        String entry = "p/" + "b".repeat(19).concat("/").repeat(100) + "f"; // 2003 bytes, 102 parts
        assertThat(NameRules.problem(name)).isNull();
        assertThat(NameRules.problem(entry)).isNull();
        CraftedParcel parcel = CraftedParcel.of(tar -> file(tar, entry, "too deep together"), ReceiverCalls.CHUNK);
        String sid = startArchive(receiver, name);
        parcel.upload(receiver, sid);

        JsonNode refused = error(parcel.finish(receiver, sid), 400, "bad_request");
        assertThat(refused.get("message").asText()).contains(NameRules.MAX_PATH_BYTES + " bytes");
        assertThat(Files.exists(receiver.inbox().resolve("nnnnnnnnn"))).isFalse();
        // nothing received is lost: the session is still there, and a retried finish answers the same
        ok(status(receiver, sid), 200);
        error(parcel.finish(receiver, sid), 400, "bad_request");
        assertThat(receiver.send("DELETE", "/sessions/" + sid, null).statusCode()).isEqualTo(204);
    }

    @Test
    void aMirrorApplyWhosePathsBelowItsNameAreTooLongIs400AndChangesNothing() throws Exception {
        String name = "mmmmmmmmm/".repeat(250) + "x";
        String entry = "b".repeat(19).concat("/").repeat(100) + "f";
        CraftedParcel parcel = CraftedParcel.of(tar -> file(tar, entry, "applied"), ReceiverCalls.CHUNK);
        String sid = startArchive(receiver, name, Map.of("mode", "apply"));
        parcel.upload(receiver, sid);

        JsonNode refused = error(parcel.finish(receiver, sid), 400, "bad_request");
        assertThat(refused.get("message").asText()).contains(NameRules.MAX_PATH_BYTES + " bytes");
        assertThat(Files.exists(receiver.inbox().resolve("mmmmmmmmm"))).isFalse();
        ok(status(receiver, sid), 200);
    }

    private static JsonNode refusedEntry(String top, String entry) throws Exception {
        return refusedEntry(top, entry, "UTF-8", entry);
    }

    /** The entry {@code entry}, its name written in {@code encoding}, is refused as {@code shown}, and nothing published. */
    private static JsonNode refusedEntry(String top, String entry, String encoding, String shown) throws Exception {
        CraftedParcel parcel = CraftedParcel.of(tar -> {
            TarArchiveEntry dir = new TarArchiveEntry(top + "/", true);
            dir.setMode(040755);
            tar.putArchiveEntry(dir);
            tar.closeArchiveEntry();
            CraftedParcel.file(tar, top + "/ok.txt", "fine".getBytes(StandardCharsets.UTF_8));
            CraftedParcel.file(tar, entry, "x".getBytes(StandardCharsets.UTF_8));
        }, ReceiverCalls.CHUNK, encoding);
        assertThat(parcel.count()).isEqualTo(1);
        String sid = startArchive(receiver, top);
        List<String> before = inboxEntries(receiver);
        int stored = put(receiver, sid, 0, parcel.parts().get(0)).statusCode();
        assertThat(stored).isIn(201, 422);
        JsonNode answer = error(parcel.finish(receiver, sid), 422, null);
        assertThat(answer.get("entry").asText()).isEqualTo(shown);
        assertThat(inboxEntries(receiver)).isEqualTo(before);
        try (Stream<Path> walk = Files.walk(receiver.inbox())) {
            assertThat(walk.map(p -> p.getFileName().toString())).doesNotContain("ok.txt");
        }
        return answer;
    }

    @Test
    void aControlCharacterBelowTheTopIsRefusedNamingTheEntryEscaped() throws Exception {
        JsonNode answer = refusedEntry("nr1", "nr1/evil\nname\u001b[31m");
        String message = answer.get("message").asText();
        assertThat(message).contains("nr1/evil\\u000aname\\u001b[31m").contains("control characters (here U+000A)");
        assertThat(message.chars().noneMatch(c -> c < 0x20 || c == 0x7f)).as(message).isTrue();
    }

    @Test
    void anEntryWhoseNameIsNotUtf8IsRefusedNamingItsBytes() throws Exception {
        JsonNode answer = refusedEntry("nu1", "nu1/a\u00ffb", "ISO-8859-1", "nu1/a\\xffb");
        assertThat(answer.get("message").asText()).contains("nu1/a\\xffb").contains("its name is not UTF-8");
    }

    @Test
    void aBackslashBelowTheTopIsRefused() throws Exception {
        JsonNode answer = refusedEntry("nr2", "nr2/back\\slash");
        assertThat(answer.get("message").asText()).contains("nr2/back\\slash").contains("backslashes are not allowed");
    }

    @Test
    void reservedNamesBelowTheTopAreRefused() throws Exception {
        assertThat(refusedEntry("nr3", "nr3/.caravan-staging-x").get("message").asText())
                .contains("'.caravan-staging-x' is a reserved name");
        assertThat(refusedEntry("nr4", "nr4/.caravan/versions/x").get("message").asText())
                .contains("'.caravan' is a reserved name");
        assertThat(refusedEntry("nr5", "nr5/deep/er/.caravan").get("message").asText())
                .contains("'.caravan' is a reserved name");
    }

    @Test
    void namesThatOnlyLookLikeReservedOnesArePublished() throws Exception {
        CraftedParcel parcel = CraftedParcel.of(tar -> {
            CraftedParcel.file(tar, "fine/.caravanignore", "x".getBytes(StandardCharsets.UTF_8));
            CraftedParcel.file(tar, "fine/a.caravan-b", "x".getBytes(StandardCharsets.UTF_8));
            CraftedParcel.file(tar, "./fine/./sub/x.txt", "x".getBytes(StandardCharsets.UTF_8));
        }, ReceiverCalls.CHUNK);
        String sid = startArchive(receiver, "fine");
        parcel.upload(receiver, sid);
        ok(parcel.finish(receiver, sid), 200);
        Path fine = receiver.inbox().resolve("fine");
        assertThat(fine.resolve(".caravanignore")).exists();
        assertThat(fine.resolve("a.caravan-b")).exists();
        assertThat(fine.resolve("sub/x.txt")).exists();
    }
}
