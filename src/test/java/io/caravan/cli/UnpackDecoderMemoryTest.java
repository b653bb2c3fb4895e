package io.caravan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CraftedTar;
import io.caravan.WideWindowStreams;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code caravan unpack} with the launcher's 160 MiB heap, of a few hundred bytes of xz whose header asks
 * for a 192 MiB dictionary: one line naming the dictionary and the limit, exit 1, nothing written, never
 * an OutOfMemoryError. The same archive with a 24 MiB dictionary unpacks.
 */
class UnpackDecoderMemoryTest {

    @TempDir
    Path tmp;

    private Process unpack(Path archive, Path dest) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-Xmx160m", "-cp", System.getProperty("java.class.path"),
                CaravanCli.class.getName(), "unpack", archive.toString(), dest.toString(), "-q")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    @Test
    void aDictionaryAboveTheLimitIsRefusedInOneLine() throws Exception {
        byte[] tar = new CraftedTar().dir("x").file("x/a.txt").bytes();
        Path archive = Files.write(tmp.resolve("x192.tar.xz"), WideWindowStreams.xz(tar, 31));
        Path dest = Files.createDirectory(tmp.resolve("dest"));
        Process process = unpack(archive, dest);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(err).doesNotContain("OutOfMemoryError").doesNotContain("\tat ").contains("xz").contains("192 MiB")
                .doesNotContain("send the parcel again");
        assertThat(err.strip().lines().count()).as(err).isEqualTo(1);
        assertThat(process.exitValue()).as(err).isEqualTo(1);
        try (var list = Files.list(dest)) {
            assertThat(list.toList()).as("nothing published").isEmpty();
        }

        Path fits = Files.write(tmp.resolve("x24.tar.xz"), WideWindowStreams.xz(tar, 25));
        Process ok = unpack(fits, dest);
        String okErr = new String(ok.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(ok.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(ok.exitValue()).as(okErr).isZero();
        assertThat(dest.resolve("x/a.txt")).exists();
    }
}
