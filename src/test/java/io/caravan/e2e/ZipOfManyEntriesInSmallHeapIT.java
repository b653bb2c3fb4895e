package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A zip keeps every entry's record until its central directory, at its end; in a 64 MiB heap a folder
 * or a zip of 200,000 entries is refused before anything is written, with a message that says what to do
 * (another format, a larger heap), never an {@code OutOfMemoryError}: by {@code caravan pack --format zip},
 * by a receiver's {@code GET /parcels/zip} (413 JSON, while {@code /parcels/tar-zst} of the same folder is
 * served whole) and by {@code caravan unpack} of such a zip.
 */
class ZipOfManyEntriesInSmallHeapIT {

    private static final int FOLDERS = 200;
    private static final int FILES_PER_FOLDER = 1000;
    private static final int ENTRIES = 1 + FOLDERS + FOLDERS * FILES_PER_FOLDER;
    private static final List<String> SMALL_HEAP = List.of("-Xmx64m");

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    static Path shared;

    @TempDir
    Path dir;

    /** The inbox holding {@code big}, made once for all the tests (in memory where it can be). */
    private static Path inbox;

    @BeforeAll
    static void bigFolder() throws IOException {
        inbox = ManyEmptyFiles.inbox("caravan-zip-", shared.resolve("inbox"), FOLDERS, FILES_PER_FOLDER);
    }

    @AfterAll
    static void removeBigFolder() throws IOException {
        ManyEmptyFiles.remove(inbox);
    }

    @Test
    void packAsZipIsRefusedBeforeAnythingIsWritten() throws Exception {
        Path out = Files.createDirectories(dir.resolve("out"));
        CaravanProcess pack = processes.start(dir, "pack", SMALL_HEAP, "pack", inbox.resolve("big").toString(),
                "--format", "zip", "--out", out.resolve("big").toString(), "-q");
        int exit = pack.awaitExit(Duration.ofSeconds(60));
        String log = pack.log();
        assertThat(log).doesNotContain("OutOfMemoryError").doesNotContain("\tat ");
        assertThat(exit).as(log).isEqualTo(1);
        assertThat(log).contains("entries").contains("--format parts").contains("-Xmx");
        try (Stream<Path> left = Files.list(out)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void aReceiverRefusesTheZipWith413AndServesTheTarZst() throws Exception {
        int port = E2e.freePort();
        processes.start(dir, "serve", SMALL_HEAP, "serve", "--port", String.valueOf(port), "--root", inbox.toString())
                .awaitHttpReady(port);

        HttpResponse<String> zip = CaravanProcess.get(port, "/parcels/zip?name=big");
        assertThat(zip.statusCode()).as(zip.body()).isEqualTo(413);
        JsonNode error = E2e.JSON.readTree(zip.body());
        assertThat(error.path("message").asText()).contains("entries").contains("tar-zst");

        Path tarZst = dir.resolve("big.tar.zst");
        Process curl = new ProcessBuilder("curl", "-sS", "-f", "-o", tarZst.toString(),
                "http://127.0.0.1:" + port + "/parcels/tar-zst?name=big").redirectErrorStream(true).start();
        assertThat(curl.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(curl.exitValue()).as(new String(curl.getInputStream().readAllBytes())).isZero();
        Process list = new ProcessBuilder("sh", "-c", "zstd -dc '" + tarZst + "' | tar -t | wc -l").start();
        String listed = new String(list.getInputStream().readAllBytes()).trim();
        assertThat(list.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(Long.parseLong(listed)).isEqualTo(ENTRIES);
        assertThat(CaravanProcess.status(port, "/health")).isEqualTo(200);
    }

    @Test
    void unpackOfAZipOfThatManyEntriesIsRefusedNamingTheCountAndTheHeap() throws Exception {
        Path zip = dir.resolve("many.zip");
        Process python = new ProcessBuilder("python3", "-c", "import zipfile,sys\nwith zipfile.ZipFile(sys.argv[1], 'w') as z:\n"
                + "    for i in range(" + (FOLDERS * FILES_PER_FOLDER) + "):\n        z.writestr('big/f%06d.txt' % i, b'')",
                zip.toString()).redirectErrorStream(true).start();
        assertThat(python.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(python.exitValue()).as(new String(python.getInputStream().readAllBytes())).isZero();
        Path destination = Files.createDirectories(dir.resolve("restored"));

        CaravanProcess unpack = processes.start(dir, "unpack", SMALL_HEAP, "unpack", zip.toString(), destination.toString(), "-q");
        int exit = unpack.awaitExit(Duration.ofSeconds(60));
        String log = unpack.log();
        assertThat(log).doesNotContain("OutOfMemoryError").doesNotContain("\tat ");
        assertThat(exit).as(log).isEqualTo(1);
        assertThat(log).contains(String.valueOf(FOLDERS * FILES_PER_FOLDER)).contains("JAVA_OPTS=-Xmx");
        try (Stream<Path> left = Files.list(destination)) {
            assertThat(left).isEmpty();
        }
    }
}
