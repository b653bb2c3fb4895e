package io.caravan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CliRunner;
import io.caravan.HeaderBombTar;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code caravan unpack} of a 61 KB tar.gz whose GNU long-name header declares 60 MiB of name exits
 * 1 naming the header, and publishes nothing; with a 64 MiB heap it does so instead of running out
 * of memory.
 */
class UnpackHeaderBombTest {

    private static final long SIXTY_MIB = 60L << 20;

    @TempDir
    Path tmp;

    private Path bomb() throws Exception {
        return Files.write(tmp.resolve("bomb.tar.gz"), HeaderBombTar.gzip((byte) 'L', SIXTY_MIB));
    }

    @Test
    void unpackRefusesTheHeaderNamingIt() throws Exception {
        Path dest = tmp.resolve("dest");
        CliRunner.Result unpack = CliRunner.run("unpack", bomb().toString(), dest.toString(), "-q");
        assertThat(unpack.exitCode()).as(unpack.err()).isEqualTo(1);
        assertThat(unpack.err()).contains("refused entry '././@LongLink'").contains("declares " + SIXTY_MIB + " bytes");
        assertThat(dest).as("nothing published, not even the folder it would have made").doesNotExist();
    }

    @Test
    void unpackWithASixtyFourMebibyteHeapRefusesInsteadOfRunningOutOfMemory() throws Exception {
        Path bomb = bomb();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                CaravanCli.class.getName(), "unpack", bomb.toString(), tmp.resolve("dest").toString(), "-q")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(err).doesNotContain("OutOfMemoryError").contains("GNU long-name header (type 'L'");
        assertThat(process.exitValue()).as(err).isEqualTo(1);
    }
}
