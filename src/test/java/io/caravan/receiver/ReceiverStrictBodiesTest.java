package io.caravan.receiver;

import static io.caravan.receiver.ReceiverCalls.assertPublished;
import static io.caravan.receiver.ReceiverCalls.error;
import static io.caravan.receiver.ReceiverCalls.finishWith;
import static io.caravan.receiver.ReceiverCalls.putAll;
import static io.caravan.receiver.ReceiverCalls.range;
import static io.caravan.receiver.ReceiverCalls.startArchive;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.caravan.receiver.ReceiverCalls.Parcel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JSON bodies the receiver reads are read as they are typed: a key given twice, or one a request
 * does not know ({@code /start}, {@code /check}, {@code /mirror/changes}), is answered 400 naming it, and
 * a manifest at {@code /finish} whose field holds a value of another type (a text where a number belongs)
 * or is given twice is answered 400 naming the field, the session kept for a finish with the manifest as
 * Caravan writes it.
 */
class ReceiverStrictBodiesTest {

    @TempDir
    Path tmp;
    @RegisterExtension
    final RunningReceiver running = RunningReceiver.at(() -> tmp.resolve("inbox"));

    @Test
    void aKeyGivenTwiceOrUnknownIsRefusedNamingItAndNothingIsDone(ReceiverFixture receiver) throws Exception {
        Path file = Files.createDirectories(receiver.inbox().resolve("kept")).resolve("a.txt");
        Files.writeString(file, "a");
        Map<String, String> refusals = new java.util.LinkedHashMap<>();
        refusals.put("/start {\"name\":\"x\",\"codec\":\"zstd\",\"name\":\"y\"}", "name is given twice");
        refusals.put("/check {\"hashes\":[],\"hashes\":[\"" + "a".repeat(64) + "\"]}", "hashes is given twice");
        refusals.put("/mirror/changes?name=kept {\"delete\":[],\"delete\":[\"a.txt\"]}", "delete is given twice");
        refusals.put("/mirror/changes?name=kept {\"rename\":[{\"from\":\"a.txt\",\"to\":\"b\",\"to\":\"c\"}]}",
                "to is given twice");
        refusals.put("/start {\"name\":\"x\",\"codec\":\"zstd\",\"on_confict\":\"fail\"}",
                "on_confict is not an option of POST /start (name, codec, kind, chunk_size, on_conflict,");
        refusals.put("/check {\"hashes\":[],\"hash\":\"" + "a".repeat(64) + "\"}", "hash is not a field of POST /check");
        refusals.put("/mirror/changes?name=kept {\"delete\":[\"a.txt\"],\"remove\":[]}", "remove is not a field");
        refusals.put("/mirror/changes?name=kept {\"rename\":[{\"from\":\"a.txt\",\"to\":\"b\",\"sha\":\"x\"}]}",
                "rename[0].sha is not a field of a rename");

        for (Map.Entry<String, String> refusal : refusals.entrySet()) {
            String[] request = refusal.getKey().split(" ", 2);
            assertThat(error(receiver.post(request[0], request[1]), 400, "bad_request").get("message").asText())
                    .as(refusal.getKey()).contains(refusal.getValue());
        }
        assertThat(file).hasContent("a");
    }

    @Test
    void aManifestFieldOfAnotherTypeOrGivenTwiceIsRefusedNamingItAndTheSessionKept(ReceiverFixture receiver) throws Exception {
        Parcel parcel = ReceiverCalls.smallParcel(tmp, "strict", 100_000, 1);
        String sid = startArchive(receiver, "strict", Map.of());
        putAll(receiver, sid, parcel, range(0, parcel.count()));
        ObjectNode coerced = (ObjectNode) ReceiverCalls.JSON.readTree(parcel.manifestJson());
        coerced.put("chunk_size", String.valueOf(parcel.manifest().chunkSize()));
        String twice = parcel.manifestJson().replaceFirst("\\{", "{\"total_size\": 1,");

        String text = error(finish(receiver, sid, coerced.toString()), 400, "manifest").get("message").asText();
        String duplicate = error(finish(receiver, sid, twice), 400, "manifest").get("message").asText();

        assertThat(text).contains("chunk_size must be a whole number, not the text \"" + parcel.manifest().chunkSize() + "\"");
        assertThat(duplicate).contains("total_size is given twice");
        assertThat(receiver.inbox().resolve("strict")).doesNotExist();
        assertPublished(receiver, finishWith(receiver, sid, parcel, ""), parcel, "strict");
    }

    private static java.net.http.HttpResponse<String> finish(ReceiverFixture receiver, String sid, String manifest) throws Exception {
        return receiver.send("POST", "/finish/" + sid, manifest.getBytes(StandardCharsets.UTF_8), "Content-Type", "application/json");
    }
}
