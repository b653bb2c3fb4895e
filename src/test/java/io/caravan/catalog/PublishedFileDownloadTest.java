package io.caravan.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.TestTrees;
import io.caravan.receiver.ReceiverFixture;
import io.caravan.receiver.RunningReceiver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /files?path=} serves one published file with HTTP ranges, so {@code curl -C -} resumes a
 * partial copy; links are never followed (neither the file itself nor a folder on the way), and
 * Caravan's own state is never served.
 */
class PublishedFileDownloadTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    static Path tmp;
    @RegisterExtension
    static final RunningReceiver RUNNING = CatalogFixture.receiverAt(() -> tmp.resolve("inbox"));
    static ReceiverFixture receiver;
    static Path data;

    @BeforeAll
    static void publish(ReceiverFixture started) throws Exception {
        receiver = started;
        Path docs = Files.createDirectories(tmp.resolve("src/docs/sub"));
        data = docs.resolve("data.bin");
        TestTrees.random(data, 3_000_000, 11);
        CatalogFixture.send(receiver, docs.getParent(), "docs", "zstd", tmp.resolve("state"), null);
    }

    @Test
    void servesTheWholeFileAndAnyRange() throws Exception {
        byte[] expected = Files.readAllBytes(data);
        HttpResponse<byte[]> whole = get("/files?path=docs/sub/data.bin");
        assertThat(whole.statusCode()).isEqualTo(200);
        assertThat(whole.headers().firstValue("Accept-Ranges")).hasValue("bytes");
        assertThat(whole.headers().firstValue("Content-Length")).hasValue(String.valueOf(expected.length));
        assertThat(whole.body()).isEqualTo(expected);

        HttpResponse<byte[]> tail = get("/files?path=docs%2Fsub%2Fdata.bin", "Range", "bytes=1000000-");
        assertThat(tail.statusCode()).isEqualTo(206);
        assertThat(tail.headers().firstValue("Content-Range")).hasValue("bytes 1000000-2999999/3000000");
        assertThat(tail.body()).isEqualTo(Arrays.copyOfRange(expected, 1_000_000, expected.length));

        HttpResponse<byte[]> middle = get("/files?path=docs/sub/data.bin", "Range", "bytes=10-19");
        assertThat(middle.body()).isEqualTo(Arrays.copyOfRange(expected, 10, 20));
        HttpResponse<byte[]> suffix = get("/files?path=docs/sub/data.bin", "Range", "bytes=-5");
        assertThat(suffix.body()).isEqualTo(Arrays.copyOfRange(expected, expected.length - 5, expected.length));

        HttpResponse<byte[]> beyond = get("/files?path=docs/sub/data.bin", "Range", "bytes=3000000-");
        assertThat(beyond.statusCode()).isEqualTo(416);
        assertThat(beyond.headers().firstValue("Content-Range")).hasValue("bytes */3000000");

        HttpResponse<byte[]> stale = get("/files?path=docs/sub/data.bin", "Range", "bytes=10-19", "If-Range", "\"other\"");
        assertThat(stale.statusCode()).isEqualTo(200);
        assertThat(stale.body()).hasSize(expected.length);
    }

    @Test
    void curlResumesAPartialCopy() throws Exception {
        Path copy = tmp.resolve("copy.bin");
        byte[] expected = Files.readAllBytes(data);
        Files.write(copy, Arrays.copyOf(expected, 1_234_567));
        Process curl = new ProcessBuilder("curl", "-sS", "-f", "-C", "-", "-o", copy.toString(),
                "http://127.0.0.1:" + receiver.port() + "/files?path=docs/sub/data.bin").redirectErrorStream(true).start();
        assertThat(curl.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(curl.exitValue()).as(new String(curl.getInputStream().readAllBytes())).isZero();
        assertThat(Files.mismatch(copy, data)).isEqualTo(-1L);
    }

    @Test
    void neverFollowsLinksNorServesState() throws Exception {
        Path inbox = receiver.inbox();
        Files.createSymbolicLink(inbox.resolve("docs/sub/passwd"), Path.of("/etc/passwd"));
        Files.createSymbolicLink(inbox.resolve("etc"), Path.of("/etc"));
        CatalogApiTest.error(text("/files?path=docs/sub/passwd"), 404);
        CatalogApiTest.error(text("/files?path=etc/passwd"), 404);
        CatalogApiTest.error(text("/files?path=.caravan/catalog/parcels"), 400);
        CatalogApiTest.error(text("/files?path=docs/../../etc/passwd"), 400);
        CatalogApiTest.error(text("/files?path=docs"), 400);
        CatalogApiTest.error(text("/files?path=docs/missing.txt"), 404);
    }

    private static HttpResponse<String> text(String path) throws Exception {
        return receiver.get(path);
    }

    private static HttpResponse<byte[]> get(String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + receiver.port() + path));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
