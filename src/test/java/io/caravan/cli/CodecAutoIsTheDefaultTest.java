package io.caravan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CliRunner;
import io.caravan.pack.Codec;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** {@code send} and {@code sync} pack with {@code --codec auto} unless told otherwise; {@code pack} keeps zstd. */
class CodecAutoIsTheDefaultTest {

    @TempDir
    Path tmp;

    @Test
    void sendPacksWithAutoUnlessToldOtherwise() {
        SendCommand send = new SendCommand();
        new CommandLine(send).parseArgs(tmp.toString());
        assertThat(send.packing.codec.name()).isEqualTo("auto");

        SendCommand zstd = new SendCommand();
        new CommandLine(zstd).parseArgs(tmp.toString(), "--codec", "zstd");
        assertThat(zstd.packing.codec.name()).isEqualTo("zstd");
    }

    @Test
    void syncPacksWithAutoUnlessToldOtherwise() {
        CommandLine sync = new CommandLine(new SyncCommand());
        sync.parseArgs(tmp.toString(), "--to", "http://127.0.0.1:1");
        OptionSpec codec = sync.getCommandSpec().findOption("--codec");
        assertThat(codec).as("sync has a --codec option").isNotNull();
        assertThat(((Codec) codec.getValue()).name()).isEqualTo("auto");

        CommandLine none = new CommandLine(new SyncCommand());
        none.parseArgs(tmp.toString(), "--to", "http://127.0.0.1:1", "--codec", "none");
        assertThat(((Codec) none.getCommandSpec().findOption("--codec").getValue()).name()).isEqualTo("none");
    }

    @Test
    void packKeepsZstdSoItsPartsStayTheSameForTheSameInput() {
        PackCommand pack = new PackCommand();
        new CommandLine(pack).parseArgs(tmp.toString(), "--out", tmp.resolve("out").toString());
        assertThat(pack.packing.codec.name()).isEqualTo("zstd");
    }

    @Test
    void autoIsACodecTheCommandsAccept() throws Exception {
        Path file = Files.writeString(tmp.resolve("f.txt"), "x");
        CliRunner.Result send = CliRunner.run("send", file.toString(), "--codec", "auto", "--to", "http://127.0.0.1:1",
                "--state-dir", tmp.resolve("state").toString(), "-q");
        assertThat(send.err()).doesNotContain("unknown codec");
        assertThat(send.exitCode()).as("no receiver there: a failure, not a usage error").isEqualTo(1);

        CliRunner.Result pack = CliRunner.run("pack", file.toString(), "--out", tmp.resolve("out/f").toString(), "--codec", "auto", "-q");
        assertThat(pack.exitCode()).as(pack.err()).isZero();
    }
}
