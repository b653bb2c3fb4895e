package io.caravan.pack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.PackUnpack;
import io.caravan.TestTrees;
import io.caravan.progress.ProgressListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A pack that fails midway leaves only complete parts: the unfinished chunk is dropped, not completed, and no temp file stays. */
class FailedPackTest {

    @TempDir
    Path tmp;

    @Test
    void failureWhileReadingDropsTheUnfinishedChunk() throws Exception {
        Path big = tmp.resolve("big.bin");
        TestTrees.random(big, 1_000_000, 12);
        ProgressListener failsMidway = new ProgressListener() {
            private long seen;

            @Override
            public void bytes(long bytes) {
                seen += bytes;
                if (seen > 450_000) {
                    throw new IllegalStateException("source went away at " + seen + " bytes");
                }
            }
        };
        Path prefix = tmp.resolve("parts/big");
        PartFileTarget target = new PartFileTarget(prefix);
        assertThatThrownBy(() -> new Packer(PackUnpack.options("none", 100_000), failsMidway).pack(List.of(big), target))
                .hasMessageContaining("source went away");

        assertOnlyCompleteParts(prefix, 100_000);
    }

    @Test
    void failureOfTheTargetStopsAtTheLastCompletePart() throws Exception {
        Path big = tmp.resolve("big.bin");
        TestTrees.random(big, 1_000_000, 13);
        Path prefix = tmp.resolve("parts/big");
        PartFileTarget files = new PartFileTarget(prefix);
        ChunkTarget failsAtTwo = new ChunkTarget() {
            @Override
            public java.io.OutputStream open(int index) throws IOException {
                return files.open(index);
            }

            @Override
            public void completed(ChunkInfo chunk) throws IOException {
                if (chunk.index() == 2) {
                    throw new IOException("disk full at part 0002");
                }
                files.completed(chunk);
            }

            @Override
            public void finished(Throwable failure) throws IOException {
                files.finished(failure);
            }
        };
        assertThatThrownBy(() -> new Packer(PackUnpack.options("none", 100_000), ProgressListener.NONE).pack(List.of(big), failsAtTwo))
                .hasMessageContaining("disk full at part 0002");

        assertOnlyCompleteParts(prefix, 100_000);
        assertThat(PartFiles.part(prefix, 2)).doesNotExist();
    }

    private static void assertOnlyCompleteParts(Path prefix, long chunkSize) throws IOException {
        try (var files = Files.list(prefix.getParent())) {
            List<Path> left = files.toList();
            assertThat(left).allSatisfy(p -> assertThat(p.getFileName().toString()).matches("big\\.part\\d{4}"));
            for (Path part : left) {
                assertThat(Files.size(part)).as("%s is a complete part", part.getFileName()).isEqualTo(chunkSize);
            }
        }
        assertThat(PartFiles.manifest(prefix)).doesNotExist();
    }
}
