package io.caravan.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.TestTrees;
import io.caravan.receiver.ReceiverFixture;
import io.caravan.receiver.RunningReceiver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /parcels/zip?name=} and {@code GET /parcels/tar-zst?name=} stream a published folder as one
 * archive built on the fly; the archives are checked by {@code unzip}, Python's zipfile and GNU tar as
 * real processes, and extract to the tree that was sent (links as links).
 */
class ArchiveDownloadTest {

    @TempDir
    static Path tmp;
    @RegisterExtension
    static final RunningReceiver RUNNING = CatalogFixture.receiverAt(() -> tmp.resolve("inbox"));
    static ReceiverFixture receiver;
    static Path source;

    @BeforeAll
    static void publish(ReceiverFixture started) throws Exception {
        receiver = started;
        source = TestTrees.fidelityTree(tmp.resolve("src"), "docs");
        TestTrees.random(source.resolve("big.bin"), 3_000_000, 5);
        CatalogFixture.send(receiver, source, "docs", "zstd", tmp.resolve("state"), null);
    }

    @AfterAll
    static void stop() throws Exception {
        Files.setPosixFilePermissions(source.resolve("locked"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void zipIsReadByUnzipAndPythonAndHoldsTheTree() throws Exception {
        Path zip = tmp.resolve("docs.zip");
        run(tmp, "curl", "-sS", "-f", "-o", zip.toString(), url("/parcels/zip?name=docs"));
        run(tmp, "unzip", "-t", zip.toString());
        run(tmp, "python3", "-c", "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None;"
                + " n=z.namelist(); assert 'docs/中文 文件.txt' in n, n; assert 'docs/big.bin' in n", zip.toString());
        Path out = Files.createDirectories(tmp.resolve("unzipped"));
        run(out, "unzip", "-q", zip.toString());
        assertThat(TestTrees.describe(out.resolve("docs"))).isEqualTo(TestTrees.describe(source));
    }

    @Test
    void tarZstIsReadByGnuTarAndHoldsTheTree() throws Exception {
        Path archive = tmp.resolve("docs.tar.zst");
        run(tmp, "curl", "-sS", "-f", "-o", archive.toString(), url("/parcels/tar-zst?name=docs"));
        Path out = Files.createDirectories(tmp.resolve("untarred"));
        run(out, "tar", "--zstd", "-xf", archive.toString());
        assertThat(TestTrees.describe(out.resolve("docs"))).isEqualTo(TestTrees.describe(source));
    }

    @Test
    void aSingleFileAndErrorsAreAnswered() throws Exception {
        Path zip = tmp.resolve("one.zip");
        run(tmp, "curl", "-sS", "-f", "-o", zip.toString(), url("/parcels/zip?name=" + "docs%2Fbig.bin"));
        CatalogApiTest.error(receiver.get("/parcels/zip?name=missing"), 404);
        CatalogApiTest.error(receiver.get("/parcels/tar-zst?name=missing"), 404);
        CatalogApiTest.error(receiver.get("/parcels/zip"), 400);
        CatalogApiTest.error(receiver.get("/parcels/zip?name=../etc"), 400);
    }

    @Test
    void aClientThatGoesAwayEndsTheThreadBuildingItsArchive() throws Exception {
        Path big = Files.createDirectories(tmp.resolve("src-big/big"));
        TestTrees.random(big.resolve("random.bin"), 64 << 20, 9);
        CatalogFixture.send(receiver, big, "big", "none", tmp.resolve("state-big"), null);
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", receiver.port())) {
            socket.getOutputStream().write(("GET /parcels/zip?name=big HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            assertThat(socket.getInputStream().readNBytes(4096)).hasSize(4096);
            assertThat(archiveThreads()).isPositive();
        }
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> archiveThreads() == 0);
    }

    @Test
    void anArchiveThatFailsMidwayEndsItsConnectionAtOnce() throws Exception {
        for (String format : List.of("zip", "tar-zst")) {
            String name = "gone-" + format;
            Path gone = Files.createDirectories(tmp.resolve("src-" + name).resolve(name));
            TestTrees.random(gone.resolve("a.bin"), 16 << 20, 9); // random: the archive is as large, 2 s at the client's pace
            TestTrees.write(gone.resolve("z.txt"), "last");
            CatalogFixture.send(receiver, gone, name, "zstd", tmp.resolve("state-" + name), null);
            long started = System.nanoTime();
            Process curl = new ProcessBuilder("curl", "-sS", "-m", "20", "--limit-rate", "8M", "-o",
                    tmp.resolve(name + ".archive").toString(), url("/parcels/" + format + "?name=" + name))
                    .redirectErrorStream(true).start();
            // the archive is written up to the client's pace: once its first MiB arrived it is inside a.bin
            Path received = tmp.resolve(name + ".archive");
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).pollInterval(java.time.Duration.ofMillis(10))
                    .until(() -> Files.exists(received) && Files.size(received) >= 1 << 20);
            // listed by the archive, gone before it is reached: the archive cannot be completed
            Files.delete(receiver.inbox().resolve(name).resolve("z.txt"));
            String output = new String(curl.getInputStream().readAllBytes());
            assertThat(curl.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(curl.exitValue()).as(format + ": an archive that could not be completed is never a clean end: " + output)
                    .isNotZero().isNotEqualTo(28); // 28: curl's own time limit, the connection left hanging
            assertThat(java.time.Duration.ofNanos(System.nanoTime() - started)).isLessThan(java.time.Duration.ofSeconds(10));
        }
    }

    /**
     * A name that is not UTF-8, put into a published folder by another program, is left out of its zip and its
     * tar.zst (as of its manifest): both archives are complete, read by unzip, Python's zipfile and GNU tar,
     * and hold everything else.
     */
    @Test
    void aNameThatIsNotUtf8IsLeftOutOfBothArchivesWhichAreComplete() throws Exception {
        Path bad = Files.createDirectories(tmp.resolve("src-bad/bad"));
        TestTrees.write(bad.resolve("a.txt"), "first");
        TestTrees.write(Files.createDirectories(bad.resolve("sub")).resolve("b.txt"), "second");
        CatalogFixture.send(receiver, bad, "bad", "zstd", tmp.resolve("state-bad"), null);
        run(receiver.inbox().resolve("bad"), "bash", "-c",
                "echo x > $'\\xff.bin' && mkdir $'sub/d\\xffir' && echo y > $'sub/d\\xffir/c.txt'");
        List<String> rest = List.of("bad/", "bad/a.txt", "bad/sub/", "bad/sub/b.txt");

        Path zip = tmp.resolve("bad.zip");
        run(tmp, "curl", "-sS", "-f", "-m", "20", "-o", zip.toString(), url("/parcels/zip?name=bad"));
        run(tmp, "unzip", "-t", zip.toString());
        run(tmp, "python3", "-m", "zipfile", "-t", zip.toString());
        assertThat(run(tmp, "unzip", "-Z1", zip.toString()).lines()).containsExactlyInAnyOrderElementsOf(rest);

        Path archive = tmp.resolve("bad.tar.zst");
        run(tmp, "curl", "-sS", "-f", "-m", "20", "-o", archive.toString(), url("/parcels/tar-zst?name=bad"));
        assertThat(run(tmp, "tar", "-I", "zstd", "-tf", archive.toString()).lines()).containsExactlyInAnyOrderElementsOf(rest);
    }

    private static long archiveThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("caravan-archive-")).count();
    }

    private static String url(String path) {
        return "http://127.0.0.1:" + receiver.port() + path;
    }

    /** Runs {@code command} in {@code dir}; it must succeed; its output (standard error after standard output). */
    private static String run(Path dir, String... command) throws Exception {
        Process process = new ProcessBuilder(List.of(command)).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command) + "\n" + output).isZero();
        return output;
    }
}
