package io.caravan.unpack;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.progress.ProgressListener;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A sparse file archived by GNU tar ({@code --sparse}: old GNU sparse headers, or PAX sparse maps)
 * extracts to the file as it was, holes and all, byte for byte: its stored size is only the data
 * between the holes.
 */
class SparseEntriesTest {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"gnu:3", "pax:40", "posix:5"})
    void aSparseFileExtractsToItsWholeContent(String formatAndChunks) throws Exception {
        String format = formatAndChunks.split(":")[0];
        int chunks = Integer.parseInt(formatAndChunks.split(":")[1]);
        Path src = Files.createDirectories(tmp.resolve("src"));
        Path sparse = src.resolve("sparse.bin");
        try (RandomAccessFile file = new RandomAccessFile(sparse.toFile(), "rw")) {
            for (int i = 0; i < chunks; i++) {
                file.seek(i * 1_000_000L);
                file.write(("chunk" + i).getBytes(StandardCharsets.UTF_8));
            }
            file.setLength(chunks * 1_000_000L + 4096); // a hole at the end too
        }
        Path archive = tmp.resolve(format + ".tar");
        Process tar = new ProcessBuilder("tar", "--format=" + format, "--sparse", "-cf", archive.toString(), "-C",
                src.toString(), "sparse.bin").redirectErrorStream(true).start();
        assertThat(tar.waitFor()).as(new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
        assertThat(Files.size(archive)).as("GNU tar stored the holes as holes").isLessThan(Files.size(sparse));

        Path root = Files.createDirectories(tmp.resolve("out"));
        try (InputStream in = Files.newInputStream(archive)) {
            new SafeExtractor(ExtractPolicy.DEFAULT, ProgressListener.NONE).extract(in, root);
        }
        assertThat(Files.size(root.resolve("sparse.bin"))).isEqualTo(Files.size(sparse));
        assertThat(Files.mismatch(root.resolve("sparse.bin"), sparse)).isEqualTo(-1L);
    }
}
