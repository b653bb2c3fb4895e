package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caravan.TestTrees;
import io.caravan.catalog.CatalogTestAccess;
import io.caravan.download.CatalogProxy;
import io.caravan.receiver.ReceiverFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code caravan get} killed with {@code kill -9} in the middle of a download and started again with
 * the same command fetches only the chunks its chunk folder lacks, and publishes a file identical to
 * the source. A relay holds chunk requests back after 10 answers, so the kill always lands mid-transfer.
 */
class GetKilledMidDownloadResumesIT {

    private static final int CHUNKS = 64;
    private static final int BEFORE_KILL = 10;

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    @Test
    void aRerunFetchesOnlyWhatIsMissing() throws Exception {
        Path source = Files.createDirectories(dir.resolve("src/big"));
        TestTrees.random(source.resolve("data.bin"), CHUNKS * 64 * 1024 - 4096, 64);
        try (ReceiverFixture receiver = CatalogTestAccess.receiver(dir.resolve("inbox"));
             CatalogProxy proxy = new CatalogProxy(receiver.port())) {
            CatalogTestAccess.send(receiver, source, "big", "none", dir.resolve("state"));
            Path local = dir.resolve("local");
            Path chunks = local.resolve(".caravan-get-big");
            String[] get = {"get", "big", local.toString(), "--to", proxy.url(), "--parallel", "4", "--min-free-space", "0"};

            proxy.holdAfter(BEFORE_KILL);
            CaravanProcess first = processes.start(dir, "get", get);
            await("10 chunks on disk").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> chunkFiles(chunks) >= BEFORE_KILL);
            assertThat(first.isAlive()).as("the first get is held mid-transfer").isTrue();
            first.kill();
            long kept = chunkFiles(chunks);
            assertThat(kept).isEqualTo(BEFORE_KILL);
            assertThat(local.resolve("big")).doesNotExist();

            proxy.open();
            int requestsBefore = proxy.chunkRequests();
            CaravanProcess second = processes.start(dir, "get", get);
            assertThat(second.awaitExit(Duration.ofSeconds(120))).as("the rerun:\n%s", second.log()).isZero();

            int total = E2e.JSON.readTree(receiver.get("/parcels/manifest?name=big").body()).path("total_chunks").asInt();
            assertThat(total).isGreaterThanOrEqualTo(CHUNKS);
            assertThat(proxy.chunkRequests() - requestsBefore).as("chunks fetched by the rerun").isEqualTo(total - BEFORE_KILL);
            assertThat(second.log()).contains("(" + BEFORE_KILL + " chunks already here)");
            assertThat(Files.mismatch(source.resolve("data.bin"), local.resolve("big/data.bin"))).isEqualTo(-1L);
            assertThat(chunks).doesNotExist();
        }
    }

    @Test
    void aFileServedAsItsOwnBytesResumesInPlace() throws Exception {
        Path source = Files.createDirectories(dir.resolve("src")).resolve("clip.bin");
        TestTrees.random(source, CHUNKS * 64 * 1024 - 4096, 65);
        try (ReceiverFixture receiver = CatalogTestAccess.receiver(dir.resolve("inbox"));
             CatalogProxy proxy = new CatalogProxy(receiver.port())) {
            CatalogTestAccess.send(receiver, source, "clip.bin", "none", dir.resolve("state"));
            Path local = dir.resolve("local");
            Path state = local.resolve(".caravan-get-clip.bin");
            String[] get = {"get", "clip.bin", local.toString(), "--to", proxy.url(), "--parallel", "4", "--min-free-space", "0"};

            proxy.holdAfter(BEFORE_KILL);
            CaravanProcess first = processes.start(dir, "get", get);
            await("10 chunks recorded").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> loggedChunks(state) >= BEFORE_KILL);
            assertThat(first.isAlive()).as("the first get is held mid-transfer").isTrue();
            first.kill();
            assertThat(loggedChunks(state)).isEqualTo(BEFORE_KILL);
            try (Stream<Path> files = Files.list(state)) {
                assertThat(files.map(f -> f.getFileName().toString())).as("one file, no chunk copies")
                        .containsExactlyInAnyOrder("data", "chunks.log", "manifest.json", ".caravan-get");
            }

            proxy.open();
            int requestsBefore = proxy.chunkRequests();
            CaravanProcess second = processes.start(dir, "get", get);
            assertThat(second.awaitExit(Duration.ofSeconds(120))).as("the rerun:\n%s", second.log()).isZero();

            int total = E2e.JSON.readTree(receiver.get("/parcels/manifest?name=clip.bin").body()).path("total_chunks").asInt();
            assertThat(proxy.chunkRequests() - requestsBefore).as("chunks fetched by the rerun").isEqualTo(total - BEFORE_KILL);
            assertThat(second.log()).contains("(" + BEFORE_KILL + " chunks already here)");
            assertThat(Files.mismatch(source, local.resolve("clip.bin"))).isEqualTo(-1L);
            assertThat(state).doesNotExist();
        }
    }

    private static long loggedChunks(Path state) throws Exception {
        Path log = state.resolve("chunks.log");
        return Files.isRegularFile(log) ? Files.readAllLines(log).stream().filter(l -> l.matches("\\d+ [0-9a-f]{64}")).count() : 0;
    }

    private static long chunkFiles(Path chunks) throws Exception {
        if (!Files.isDirectory(chunks)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(chunks)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".chunk")).count();
        }
    }
}
