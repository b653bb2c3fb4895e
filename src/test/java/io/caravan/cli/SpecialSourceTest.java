package io.caravan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CliRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A source that is neither a file nor a folder (a FIFO, a link to nothing) is refused before anything
 * is sent or written: it would otherwise travel as an empty parcel and replace what the receiver holds
 * under its name.
 */
class SpecialSourceTest {

    @TempDir
    Path tmp;

    @Test
    void aFifoIsRefusedBySendAndPack() throws Exception {
        Path fifo = tmp.resolve("docs");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();

        CliRunner.Result send = CliRunner.run("send", fifo.toString(), "--to", "http://127.0.0.1:9", "--state-dir",
                tmp.resolve("state").toString());
        CliRunner.Result pack = CliRunner.run("pack", fifo.toString(), "--out", tmp.resolve("parts/p").toString());

        assertThat(send.exitCode()).isEqualTo(1);
        assertThat(send.err()).contains("docs").contains("neither a file nor a folder");
        assertThat(pack.exitCode()).isEqualTo(1);
        assertThat(pack.err()).contains("docs").contains("neither a file nor a folder");
        assertThat(tmp.resolve("parts")).doesNotExist();
    }
}
