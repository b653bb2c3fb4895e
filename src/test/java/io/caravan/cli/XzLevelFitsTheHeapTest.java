package io.caravan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With the launcher's 160 MiB heap (and its collector, which reports 154 MiB), {@code caravan pack -c xz -l 9} (whose compressor needs 672 MiB) is refused
 * as a level out of range is, in one line naming the level's memory and the highest level that fits, before
 * anything is packed, never an OutOfMemoryError; the highest level that fits packs.
 */
class XzLevelFitsTheHeapTest {

    @TempDir
    Path tmp;

    private record Run(int exit, String err) {
    }

    private Run pack(String level, String prefix) throws Exception {
        Path source = tmp.resolve("src");
        Files.createDirectories(source);
        Files.writeString(source.resolve("a.txt"), "abc");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-Xmx160m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                CaravanCli.class.getName(), "pack", source.toString(), "--out", tmp.resolve(prefix).toString(), "-c", "xz",
                "-l", level, "-q").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), err);
    }

    @Test
    void aLevelWhoseCompressorDoesNotFitIsRefusedInOneLine() throws Exception {
        Run nine = pack("9", "nine");
        assertThat(nine.err()).doesNotContain("OutOfMemoryError").doesNotContain("\tat ")
                .contains("xz level 9").contains("672 MiB").contains("level 6 or lower");
        // as any level out of range: one line, then the usage hint
        assertThat(nine.err().strip().lines().filter(line -> !line.startsWith("Run 'caravan pack --help'")).count())
                .as(nine.err()).isEqualTo(1);
        assertThat(nine.exit()).as(nine.err()).isNotZero();
        assertThat(tmp.resolve("nine.part0000")).doesNotExist();

        Run six = pack("6", "six");
        assertThat(six.exit()).as(six.err()).isZero();
    }
}
