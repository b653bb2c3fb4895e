package io.caravan.download;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CliRunner;
import io.caravan.TestTrees;
import io.caravan.catalog.CatalogTestAccess;
import io.caravan.receiver.ReceiverFixture;
import io.caravan.util.TreeSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code caravan send} then {@code caravan get} gives back an identical tree (links, modes, mtimes,
 * Unicode names), whatever codec the parcel travelled with; {@code get} merges into an existing
 * folder like {@code send} and {@code unpack} do, and takes a URL naming the parcel.
 */
class GetRoundTripTest {

    @TempDir
    static Path tmp;
    static ReceiverFixture receiver;

    @BeforeAll
    static void start() throws Exception {
        receiver = CatalogTestAccess.receiver(tmp.resolve("inbox"));
    }

    @AfterAll
    static void stop() throws Exception {
        receiver.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"zstd", "gzip", "bzip2", "xz", "lz4", "none"})
    void sendThenGetGivesAnIdenticalTree(String codec) throws Exception {
        Path source = TestTrees.fidelityTree(tmp.resolve("src-" + codec), "tree");
        CatalogTestAccess.send(receiver, source, "sets/" + codec, codec, tmp.resolve("state"));
        Path local = tmp.resolve("local-" + codec);

        CliRunner.Result get = CliRunner.run("get", "sets/" + codec, local.toString(), "--to", url(), "-q");

        assertThat(get.exitCode()).as(get.err()).isZero();
        assertThat(TreeSnapshot.of(source).differences(TreeSnapshot.of(local.resolve(codec)))).isEmpty();
        try (var left = Files.list(local)) {
            assertThat(left.map(p -> p.getFileName().toString()).toList()).as("nothing but the parcel is left").containsExactly(codec);
        }
    }

    @Test
    void aFileSentAsItsOwnBytesComesBackAsItsOwnBytesWithItsModeAndTime() throws Exception {
        Path file = Files.createDirectories(tmp.resolve("src-raw")).resolve("clip.bin");
        TestTrees.random(file, 300_000, 7);
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-x---"));
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.from(java.time.Instant.parse("2023-03-04T05:06:07Z")));
        CatalogTestAccess.send(receiver, file, "clips/clip.bin", "none", tmp.resolve("state"));
        var manifest = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(url() + "/parcels/manifest?name=clips/clip.bin")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        Path local = tmp.resolve("local-raw");

        CliRunner.Result get = CliRunner.run("get", "clips/clip.bin", local.toString(), "--to", url(), "-q");

        assertThat(get.exitCode()).as(get.err()).isZero();
        assertThat(manifest.body()).as("served as the file's own bytes").contains("\"file\"").contains("\"mtime\"");
        Path got = local.resolve("clip.bin");
        assertThat(Files.mismatch(file, got)).isEqualTo(-1L);
        assertThat(Files.getPosixFilePermissions(got)).isEqualTo(Files.getPosixFilePermissions(file));
        assertThat(Files.getLastModifiedTime(got)).isEqualTo(Files.getLastModifiedTime(file));
        try (var left = Files.list(local)) {
            assertThat(left.map(p -> p.getFileName().toString()).toList()).containsExactly("clip.bin");
        }
        try (var cached = Files.walk(tmp.resolve("inbox/.caravan/catalog/cache"))) {
            var packing = cached.filter(p -> p.getFileName().toString().endsWith(".manifest.json"))
                    .filter(p -> TestTrees.read(p).contains("\"clip.bin\"")).map(Path::getParent).toList();
            assertThat(packing).hasSize(1);
            try (var files = Files.list(packing.get(0))) {
                assertThat(files.map(p -> p.getFileName().toString()).toList())
                        .as("the server serves the published file's own bytes: its cache holds no copy").containsExactly("p.manifest.json");
            }
        }
    }

    @Test
    void aUrlNamesTheParcelAndAnExistingFolderIsMerged() throws Exception {
        Path source = Files.createDirectories(tmp.resolve("src-merge/site"));
        TestTrees.write(source.resolve("index.html"), "<h1>new</h1>\n");
        CatalogTestAccess.send(receiver, source, "web/site", "zstd", tmp.resolve("state"));
        Path local = tmp.resolve("local-merge");
        Files.createDirectories(local.resolve("site"));
        TestTrees.write(local.resolve("site/index.html"), "old\n");
        TestTrees.write(local.resolve("site/mine.txt"), "kept\n");

        CliRunner.Result get = CliRunner.run("download", url() + "/web/site", local.toString(), "-q");

        assertThat(get.exitCode()).as(get.err()).isZero();
        assertThat(Files.readString(local.resolve("site/index.html"))).isEqualTo("<h1>new</h1>\n");
        assertThat(Files.readString(local.resolve("site/mine.txt"))).isEqualTo("kept\n");
        assertThat(TestTrees.keptVersions(local, "site/index.html")).as("the replaced file is kept as a version")
                .containsExactly("old\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", ".", "local/data", "local/data/chunks"})
    void aChunkFolderHoldingOrInsideWhatIsPublishedIsRefusedBeforeAnythingIsFetched(String stateDir) throws Exception {
        Path file = Files.createDirectories(tmp.resolve("src-statedir")).resolve("data");
        TestTrees.random(file, 5_000, 11);
        CatalogTestAccess.send(receiver, file, "data", "none", tmp.resolve("state"));
        Path work = Files.createDirectories(tmp.resolve("statedir-" + stateDir.replace('/', '-').replace('.', 'p')));
        Path local = work.resolve("local");

        CliRunner.Result get = CliRunner.run("get", "data", local.toString(), "--to", url(),
                "--state-dir", work.resolve(stateDir).toString(), "-q");

        assertThat(get.exitCode()).as(get.err()).isEqualTo(2);
        assertThat(get.err()).contains("--state-dir").contains(local.resolve("data").toString()).contains("nothing was fetched");
        try (var left = Files.list(work)) {
            assertThat(left.toList()).as("nothing created").isEmpty();
        }
    }

    @Test
    void keepVersionsZeroDeletesWhatIsReplaced() throws Exception {
        Path source = Files.createDirectories(tmp.resolve("src-nokeep/page"));
        TestTrees.write(source.resolve("index.html"), "<h1>new</h1>\n");
        CatalogTestAccess.send(receiver, source, "web/page", "zstd", tmp.resolve("state"));
        Path local = tmp.resolve("local-nokeep");
        TestTrees.write(Files.createDirectories(local.resolve("page")).resolve("index.html"), "old\n");

        CliRunner.Result get = CliRunner.run("get", "web/page", local.toString(), "--to", url(), "--keep-versions", "0", "-q");

        assertThat(get.exitCode()).as(get.err()).isZero();
        assertThat(Files.readString(local.resolve("page/index.html"))).isEqualTo("<h1>new</h1>\n");
        assertThat(local.resolve(".caravan")).doesNotExist();
    }

    @Test
    void aLinkedCaravanFolderIsRefusedBeforeAnythingIsFetched() throws Exception {
        Path source = Files.createDirectories(tmp.resolve("src-linked-versions/kept"));
        TestTrees.write(source.resolve("index.html"), "new\n");
        CatalogTestAccess.send(receiver, source, "web/kept-versions", "zstd", tmp.resolve("state"));
        Path local = Files.createDirectories(tmp.resolve("local-linked-versions"));
        TestTrees.write(Files.createDirectories(local.resolve("kept-versions")).resolve("index.html"), "old\n");
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere-versions"));
        Files.createSymbolicLink(local.resolve(".caravan"), elsewhere);

        CliRunner.Result get = CliRunner.run("get", "web/kept-versions", local.toString(), "--to", url(), "-q");

        assertThat(get.exitCode()).isEqualTo(1);
        assertThat(get.err()).contains(".caravan").contains("link");
        assertThat(local.resolve("kept-versions/index.html")).hasContent("old");
        assertThat(elsewhere).isEmptyDirectory();
        try (var left = Files.list(local)) {
            assertThat(left.map(p -> p.getFileName().toString()).toList()).as("nothing staged beside it")
                    .containsExactlyInAnyOrder(".caravan", "kept-versions");
        }
    }

    @Test
    void aChunkFolderThatIsALinkIsRefusedAndNothingIsWrittenThrough() throws Exception {
        Path source = Files.createDirectories(tmp.resolve("src-link/linked"));
        TestTrees.write(source.resolve("a.txt"), "content\n");
        CatalogTestAccess.send(receiver, source, "web/linked", "zstd", tmp.resolve("state"));
        Path local = Files.createDirectories(tmp.resolve("local-link"));
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.createSymbolicLink(local.resolve(".caravan-get-linked"), elsewhere);

        CliRunner.Result get = CliRunner.run("get", "web/linked", local.toString(), "--to", url(), "-q");

        assertThat(get.exitCode()).isEqualTo(1);
        assertThat(get.err()).contains(".caravan-get-linked").contains("link");
        try (var written = Files.list(elsewhere)) {
            assertThat(written.toList()).isEmpty();
        }
        assertThat(local.resolve("linked")).doesNotExist();
    }

    @Test
    void aStateDirHoldingOtherFilesIsRefusedAndNeverEmptied() throws Exception {
        Path source = Files.createDirectories(tmp.resolve("src-state/kept"));
        TestTrees.write(source.resolve("a.txt"), "content\n");
        CatalogTestAccess.send(receiver, source, "web/kept", "zstd", tmp.resolve("state"));
        Path mine = Files.createDirectories(tmp.resolve("my-folder"));
        TestTrees.write(mine.resolve("notes.txt"), "mine\n");
        Path local = tmp.resolve("local-state");

        CliRunner.Result get = CliRunner.run("get", "web/kept", local.toString(), "--to", url(), "--state-dir", mine.toString(), "-q");

        assertThat(get.exitCode()).isEqualTo(1);
        assertThat(get.err()).contains(mine.toString()).contains("--state-dir");
        assertThat(mine.resolve("notes.txt")).hasContent("mine");

        Path fresh = tmp.resolve("fresh-state");
        CliRunner.Result again = CliRunner.run("get", "web/kept", local.toString(), "--to", url(), "--state-dir", fresh.toString(), "-q");
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(local.resolve("kept/a.txt")).hasContent("content");
        assertThat(fresh).doesNotExist();
    }

    @Test
    void aStateDirThatIsTheLocalFolderIsRefusedWhateverTheParcelIsCalled() throws Exception {
        Path source = Files.createDirectories(tmp.resolve("src-same/same"));
        TestTrees.write(source.resolve("a.txt"), "content\n");
        CatalogTestAccess.send(receiver, source, "web/same", "zstd", tmp.resolve("state"));
        Path local = tmp.resolve("local-same");

        CliRunner.Result get = CliRunner.run("get", "web/same", local.toString(), "--to", url(), "--state-dir", local.toString(), "-q");

        assertThat(get.exitCode()).as(get.err()).isEqualTo(2);
        assertThat(local).doesNotExist();
        CliRunner.Result again = CliRunner.run("get", "web/same", local.toString(), "--to", url(), "-q");
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(local.resolve("same/a.txt")).hasContent("content");
        try (var left = Files.list(local)) {
            assertThat(left.map(p -> p.getFileName().toString()).toList()).as("the default chunk folder is removed")
                    .containsExactly("same");
        }
    }

    @Test
    void anUnknownParcelFailsWithTheServersMessage() {
        CliRunner.Result get = CliRunner.run("down", "no/such/parcel", tmp.resolve("nothing").toString(), "--to", url(), "-q");
        assertThat(get.exitCode()).isEqualTo(1);
        assertThat(get.err()).contains("nothing is published as 'no/such/parcel'");
    }

    private static String url() {
        return "http://127.0.0.1:" + receiver.port();
    }
}
