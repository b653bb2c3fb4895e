package io.caravan.receiver;

import static io.caravan.receiver.ReceiverCalls.error;
import static io.caravan.receiver.ReceiverCalls.inboxEntries;
import static io.caravan.receiver.ReceiverCalls.ok;
import static io.caravan.receiver.ReceiverCalls.startArchive;
import static io.caravan.receiver.ReceiverCalls.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Extraction is bounded while it writes: a decompression bomb (a few KB of zstd expanding to 1 GiB
 * of zeros) is refused by {@code max-expansion} with a clear error, the free-space floor is kept
 * while the files are written (507, not a full disk), and a failed extraction frees its staging
 * folder at once instead of at the session's expiry. The session and its chunks are kept. A sparse
 * entry's holes count as the bytes they are written as, against both bounds.
 */
class ReceiverExtractionBoundsTest {

    private static final int CHUNK = 64 * 1024;

    @TempDir
    static Path tmp;

    static Path staging(ReceiverFixture receiver, String sid) {
        return receiver.inbox().resolve(".caravan/staging").resolve(sid);
    }

    static void awaitStagingFreed(ReceiverFixture receiver, String sid) {
        await("staging of " + sid + " freed after the failure").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100)).until(() -> !Files.exists(staging(receiver, sid)));
    }

    /**
     * Uploads a few KB of {@code tar --sparse} holding {@code holes/sparse.img} of {@code realSize} bytes and
     * expects its finish refused with {@code status} and {@code code}, naming the entry and {@code setting}.
     */
    static void refusesASparseTar(ReceiverFixture receiver, long realSize, int status, String code, String setting)
            throws Exception {
        Path archive = io.caravan.SparseTar.write(Files.createTempDirectory(tmp, "sparse"), "holes", realSize);
        CraftedParcel sparse = CraftedParcel.ofTar(Files.readAllBytes(archive), CHUNK);
        String sid = startArchive(receiver, "holes");
        sparse.upload(receiver, sid);

        JsonNode answer = error(sparse.finish(receiver, sid), status, code);
        assertThat(answer.get("message").asText()).contains("holes/sparse.img", setting);
        assertThat(inboxEntries(receiver)).doesNotContain("holes");
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class ExpansionLimit {

        ReceiverFixture receiver;

        @BeforeAll
        void start() throws Exception {
            receiver = new ReceiverFixture(tmp.resolve("expansion"));
        }

        @AfterAll
        void stop() throws Exception {
            receiver.close();
        }

        @Test
        void aZstdBombIsRefusedWithAClearErrorAndItsStagingFreedAtOnce() throws Exception {
            CraftedParcel bomb = CraftedParcel.zeros("zeros.bin", 1L << 30, CHUNK);
            assertThat(bomb.manifest().totalSize()).as("compressed size of the bomb").isLessThan(100_000);
            String sid = startArchive(receiver, "bomb");
            bomb.upload(receiver, sid);
            awaitStagingFreed(receiver, sid);

            JsonNode answer = error(bomb.finish(receiver, sid), 413, "expansion_limit");
            assertThat(answer.get("message").asText()).contains("zeros.bin", "caravan.receiver.max-expansion", "1000");
            assertThat(inboxEntries(receiver)).doesNotContain("bomb");
            ok(status(receiver, sid), 200);
            assertThat(staging(receiver, sid)).doesNotExist();
        }

        @Test
        void aSparseTarCountsItsHolesAgainstTheExpansionLimit() throws Exception {
            refusesASparseTar(receiver, 512L << 20, 413, "expansion_limit", "caravan.receiver.max-expansion");
        }

        @Test
        void aVeryCompressibleParcelWithinTheGraceIsAccepted() throws Exception {
            CraftedParcel zeros = CraftedParcel.zeros("small-zeros.bin", 16L << 20, CHUNK);
            String sid = startArchive(receiver, "small-zeros");
            zeros.upload(receiver, sid);
            ok(zeros.finish(receiver, sid), 200);
            assertThat(receiver.inbox().resolve("small-zeros")).hasSize(16L << 20);
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class FreeSpaceFloor {

        ReceiverFixture receiver;

        @BeforeAll
        void start() throws Exception {
            Path inbox = Files.createDirectories(tmp.resolve("floor"));
            // a floor 256 MiB below what is free now: the 1 GiB parcel below cannot fit above it
            long floor = Files.getFileStore(inbox).getUsableSpace() - (256L << 20);
            receiver = new ReceiverFixture(inbox, Map.of(
                    "caravan.receiver.min-free-space", String.valueOf(floor),
                    "caravan.receiver.max-expansion", "0"));
        }

        @AfterAll
        void stop() throws Exception {
            receiver.close();
        }

        @Test
        void theFloorIsKeptWhileTheFilesAreWritten() throws Exception {
            CraftedParcel big = CraftedParcel.zeros("big.bin", 1L << 30, CHUNK);
            String sid = startArchive(receiver, "big");
            big.upload(receiver, sid);
            awaitStagingFreed(receiver, sid);

            JsonNode answer = error(big.finish(receiver, sid), 507, "insufficient_storage");
            assertThat(answer.get("message").asText()).contains("caravan.receiver.min-free-space");
            assertThat(inboxEntries(receiver)).doesNotContain("big");
            ok(status(receiver, sid), 200);
        }

        @Test
        void theFloorCountsASparseEntrysHolesAsTheyAreWritten() throws Exception {
            refusesASparseTar(receiver, 1L << 30, 507, "insufficient_storage", "caravan.receiver.min-free-space");
        }
    }
}
