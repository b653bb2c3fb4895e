package io.caravan.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.TestTrees;
import io.caravan.pack.Codecs;
import io.caravan.pack.PackOptions;
import io.caravan.sender.ParcelSender;
import io.caravan.sender.Retry;
import io.caravan.sender.SenderSettings;
import java.time.Duration;
import java.util.Map;
import io.caravan.pack.ChunkInfo;
import io.caravan.pack.Manifest;
import io.caravan.progress.ProgressListener;
import io.caravan.receiver.ReceiverFixture;
import io.caravan.receiver.RunningReceiver;
import io.caravan.unpack.UnpackOptions;
import io.caravan.unpack.Unpacker;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every change the receiver makes inside a published parcel (a mirror's deletions and renames, a
 * publish below it) gives that parcel a new ETag, so its next manifest is packed again from what the
 * inbox holds now instead of served from the cache of its former state.
 */
class CatalogFollowsChangesInsideTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    static Path tmp;
    @RegisterExtension
    static final RunningReceiver RUNNING = CatalogFixture.receiverAt(() -> tmp.resolve("inbox"));

    @Test
    void aMirrorDeletionInsideAPublishedFolderChangesItsEtagAndItsDownload(ReceiverFixture receiver) throws Exception {
        publishSite(receiver, "site");
        String before = etag(receiver, "site");
        assertThat(download(receiver, "site").resolve("site/d/c.txt")).hasContent("c");

        HttpResponse<String> changed = receiver.post("/mirror/changes?name=site", "{\"delete\":[\"d/c.txt\"]}");
        assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);

        assertThat(etag(receiver, "site")).isNotEqualTo(before);
        Path now = download(receiver, "site");
        assertThat(now.resolve("site/d/c.txt")).doesNotExist();
        assertThat(now.resolve("site/a.txt")).hasContent("a");
    }

    @Test
    void aMirrorRenameInsideAPublishedFolderChangesItsEtag(ReceiverFixture receiver) throws Exception {
        publishSite(receiver, "renamed");
        String before = etag(receiver, "renamed");

        HttpResponse<String> changed = receiver.post("/mirror/changes?name=renamed",
                "{\"rename\":[{\"from\":\"d/c.txt\",\"to\":\"d/e.txt\"}]}");
        assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);

        assertThat(etag(receiver, "renamed")).isNotEqualTo(before);
        Path now = download(receiver, "renamed");
        assertThat(now.resolve("renamed/d/c.txt")).doesNotExist();
        assertThat(now.resolve("renamed/d/e.txt")).hasContent("c");
    }

    @Test
    void aPublishBelowAPublishedFolderChangesItsEtagAndItsDownload(ReceiverFixture receiver) throws Exception {
        publishSite(receiver, "grown");
        String before = etag(receiver, "grown");
        assertThat(download(receiver, "grown").resolve("grown/d/new.txt")).doesNotExist();

        Path file = Files.createDirectories(tmp.resolve("src-new")).resolve("new.txt");
        TestTrees.write(file, "new");
        CatalogFixture.send(receiver, file, "grown/d/new.txt", "zstd", tmp.resolve("state-new"), null);

        assertThat(etag(receiver, "grown")).isNotEqualTo(before);
        assertThat(download(receiver, "grown").resolve("grown/d/new.txt")).hasContent("new");
    }

    @Test
    void aMirrorApplyBelowAPublishedFolderChangesItsEtagAndItsDownload(ReceiverFixture receiver) throws Exception {
        publishSite(receiver, "outer");
        String before = etag(receiver, "outer");

        Path update = Files.createDirectories(tmp.resolve("src-apply/payload"));
        TestTrees.write(update.resolve("applied.txt"), "applied");
        SenderSettings settings = new SenderSettings("http://127.0.0.1:" + receiver.port(), null,
                new PackOptions(Codecs.byName("zstd"), 1, 64 * 1024, "outer/d"), 1, -1, tmp.resolve("state-apply"),
                new Retry(2, Duration.ofMillis(100), Duration.ofMillis(200)));
        // the mirror 'outer/d' lies inside the published folder 'outer'
        new ParcelSender(settings).send(update, "outer/d", Map.of("kind", "archive", "mode", "apply"), ProgressListener.NONE);

        assertThat(etag(receiver, "outer")).isNotEqualTo(before);
        assertThat(download(receiver, "outer").resolve("outer/d/payload/applied.txt")).hasContent("applied");
    }

    private static void publishSite(ReceiverFixture receiver, String name) throws Exception {
        Path site = Files.createDirectories(tmp.resolve("src-" + name).resolve(name));
        TestTrees.write(site.resolve("a.txt"), "a");
        Files.createDirectories(site.resolve("d"));
        TestTrees.write(site.resolve("d/c.txt"), "c");
        CatalogFixture.send(receiver, site, name, "zstd", tmp.resolve("state-" + name), null);
    }

    private static String etag(ReceiverFixture receiver, String name) throws Exception {
        HttpResponse<String> answer = receiver.get("/parcels/manifest?name=" + name);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return answer.headers().firstValue("ETag").orElseThrow();
    }

    /** The parcel as {@code caravan get} would fetch it: its manifest, then its chunks, unpacked into a new folder. */
    private static Path download(ReceiverFixture receiver, String name) throws Exception {
        HttpResponse<String> answer = receiver.get("/parcels/manifest?name=" + name);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        String etag = answer.headers().firstValue("ETag").orElseThrow();
        Manifest manifest = Manifest.fromJson(answer.body()).validate();
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (ChunkInfo chunk : manifest.chunks()) {
            HttpResponse<byte[]> body = HTTP.send(HttpRequest.newBuilder(receiver.uri("/parcels/chunks/" + chunk.index()
                    + "?name=" + name)).header("If-Match", etag).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(body.statusCode()).isEqualTo(200);
            stream.write(body.body());
        }
        Path restored = Files.createTempDirectory(tmp, "restored-");
        new Unpacker(UnpackOptions.DEFAULT, ProgressListener.NONE)
                .unpackArchive(new ByteArrayInputStream(stream.toByteArray()), restored);
        return restored;
    }
}
