package io.caravan.receiver;

import static io.caravan.receiver.ReceiverCalls.error;
import static io.caravan.receiver.ReceiverCalls.ok;
import static io.caravan.receiver.ReceiverCalls.put;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.CraftedTar;
import io.caravan.pack.ChunkInfo;
import io.caravan.pack.Codec;
import io.caravan.pack.Codecs;
import io.caravan.pack.Manifest;
import io.caravan.util.Sha256;
import io.caravan.util.TreeSnapshot;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every write, rename and delete stays inside the inbox, judged on the final location: links that
 * earlier parcels planted (kept as links) are never written through by later parcels, mirror
 * changes or replaces, and the receiver's state folder can never be published over.
 */
class ReceiverConfinementTest {

    @TempDir
    Path tmp;
    Path outside;
    TreeSnapshot outsideBefore;
    ReceiverFixture receiver;

    @BeforeEach
    void start() throws Exception {
        outside = Files.createDirectories(tmp.resolve("outside/sub"));
        Files.writeString(outside.resolve("precious.txt"), "keep me");
        outsideBefore = TreeSnapshot.of(tmp.resolve("outside"));
        receiver = new ReceiverFixture(tmp.resolve("inbox"));
    }

    @AfterEach
    void stop() throws Exception {
        receiver.close();
        assertThat(TreeSnapshot.of(tmp.resolve("outside")).differences(outsideBefore)).as("outside the inbox").isEmpty();
    }

    @Test
    void laterParcelsNeverWriteThroughALinkAnEarlierParcelPlanted() throws Exception {
        publishArchive("planted", new CraftedTar().link("planted", TarConstants.LF_SYMLINK, outside.toString()));
        assertThat(Files.isSymbolicLink(tmp.resolve("inbox/planted"))).as("links travel as links").isTrue();

        for (String name : List.of("planted/x.txt", "planted/", "planted/sub", "planted/sub/deeper/x.txt")) {
            String sid = startRaw(name);
            ok(put(receiver, sid, 0, "evil".getBytes(StandardCharsets.UTF_8)), 201);
            JsonNode refused = error(receiver.post("/finish/" + sid, ""), 409, null);
            assertThat(refused.get("message").asText()).as(name).contains("planted").contains("link");
        }
        String sid = startArchive("planted/sub", Map.of("on_conflict", "replace"));
        HttpResponse<String> replace = finishArchive(sid, new CraftedTar().dir("sub").file("sub/evil.txt"));
        error(replace, 409, null);
    }

    @Test
    void mirrorsNeverReachThroughAPlantedLink() throws Exception {
        publishArchive("site", new CraftedTar().dir("site").link("site/docs", TarConstants.LF_SYMLINK, outside.toString()));
        error(receiver.get("/mirror?name=site/docs"), 409, null);
        error(receiver.post("/mirror/changes?name=site/docs", "{\"delete\":[\"precious.txt\"]}"), 409, null);
        error(receiver.post("/mirror/changes?name=site", "{\"delete\":[\"docs/precious.txt\"]}"), 400, null);
        error(receiver.post("/mirror/changes?name=site",
                "{\"rename\":[{\"from\":\"docs/precious.txt\",\"to\":\"stolen.txt\"}]}"), 400, null);
        JsonNode moved = ok(receiver.post("/mirror/changes?name=site",
                "{\"rename\":[{\"from\":\"docs\",\"to\":\"renamed-link\"}]}"), 200);
        assertThat(moved.get("renamed").toString()).contains("docs -> renamed-link");
        assertThat(Files.isSymbolicLink(tmp.resolve("inbox/site/renamed-link"))).isTrue();
    }

    @Test
    void theStateFolderCanNeverBePublishedOver() throws Exception {
        for (String name : List.of(".caravan", ".caravan/sessions", "a/.caravan-staging-x", ".caravan-replaced-y")) {
            error(receiver.post("/start", "{\"codec\":\"zstd\",\"name\":" + ReceiverCalls.JSON.writeValueAsString(name) + "}"),
                    400, null);
        }
        String sid = startArchive(null, Map.of());
        HttpResponse<String> nameless = finishArchive(sid, new CraftedTar().dir(".caravan").file(".caravan/evil.txt"));
        assertThat(nameless.statusCode()).as(nameless.body()).isBetween(400, 499);
        assertThat(tmp.resolve("inbox/.caravan/evil.txt")).doesNotExist();
        assertThat(receiver.get("/health").statusCode()).isEqualTo(200);
        publishArchive("after", new CraftedTar().dir("after").file("after/ok.txt"));
        assertThat(tmp.resolve("inbox/after/ok.txt")).exists();
    }

    private String startRaw(String name) throws Exception {
        return ok(receiver.post("/start", "{\"name\":" + ReceiverCalls.JSON.writeValueAsString(name) + "}"), 201)
                .get("session_id").asText();
    }

    private String startArchive(String name, Map<String, Object> extra) throws Exception {
        return ok(receiver.post("/start", ReceiverCalls.startBody(name, extra)), 201).get("session_id").asText();
    }

    private void publishArchive(String name, CraftedTar archive) throws Exception {
        ok(finishArchive(startArchive(name, Map.of()), archive), 200);
    }

    private HttpResponse<String> finishArchive(String sid, CraftedTar archive) throws Exception {
        Codec zstd = Codecs.byName("zstd");
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (OutputStream out = zstd.compressor(compressed, zstd.defaultLevel())) {
            out.write(archive.bytes());
        }
        byte[] stream = compressed.toByteArray();
        String sha = Sha256.of(stream, 0, stream.length);
        ok(put(receiver, sid, 0, stream), 201);
        Manifest manifest = new Manifest(Manifest.VERSION, Manifest.FORMAT, "x", "zstd", zstd.defaultLevel(), stream.length,
                1, stream.length, sha, null, null, null, List.of(new ChunkInfo(0, stream.length, sha)));
        return receiver.post("/finish/" + sid, manifest.validate().toJson());
    }
}
