package io.caravan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CliRunner;
import io.caravan.TestTrees;
import io.caravan.pack.Manifest;
import io.caravan.pack.PartFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exit codes and messages of the command line: 0 ok, 1 failure, 2 usage. */
class CliTest {

    @TempDir
    Path tmp;

    @Test
    void helpExitsZero() {
        assertThat(CliRunner.run("--help").exitCode()).isZero();
        assertThat(CliRunner.run("pack", "--help").exitCode()).isZero();
    }

    @Test
    void usageErrorsExitTwoWithTheReason() {
        CliRunner.Result badCodec = CliRunner.run("pack", "x", "--out", "y", "--codec", "rar");
        assertThat(badCodec.exitCode()).isEqualTo(2);
        assertThat(badCodec.err()).contains("unknown codec 'rar'");
        CliRunner.Result badSize = CliRunner.run("pack", "x", "--out", "y", "--chunk-size", "huge");
        assertThat(badSize.exitCode()).isEqualTo(2);
        assertThat(badSize.err()).contains("'huge' is not a size");
        java.nio.file.Path source = tmp.resolve("src");
        source.toFile().mkdirs();
        CliRunner.Result badLevel = CliRunner.run("pack", source.toString(), "--out", tmp.resolve("o").toString(), "-c", "gzip", "-l", "42");
        assertThat(badLevel.exitCode()).isEqualTo(2);
        assertThat(badLevel.err()).contains("--level").contains("gzip 1-9");
        assertThat(CliRunner.run("pack", "--out", "y").exitCode()).isEqualTo(2);
        assertThat(CliRunner.run("frobnicate").exitCode()).isEqualTo(2);
    }

    @Test
    void aSendThatWouldRunOutOfMemoryIsRefusedWithTheFix() throws Exception {
        java.nio.file.Path file = java.nio.file.Files.writeString(tmp.resolve("f.txt"), "x");
        CliRunner.Result result = CliRunner.run("send", file.toString(), "--to", "http://127.0.0.1:1",
                "--chunk-size", "1GiB", "--parallel", "8", "--state-dir", tmp.resolve("state").toString(), "-q");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("8 chunks in parallel keeps about 11.0 GiB of chunks in memory").contains("JAVA_OPTS=-Xmx");
    }

    @Test
    void aFailureNamingAFileWithControlCharactersPrintsThemEscaped() {
        // a name that would clear the user's screen and forge a line of output if printed as it is
        CliRunner.Result missing = CliRunner.run("pack", tmp.resolve("nope\u001b[2J\rcaravan: done").toString(), "--out",
                tmp.resolve("o").toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("source not found").contains("nope\\u001b[2J\\u000dcaravan: done");
        assertThat(missing.err().chars().filter(c -> Character.isISOControl(c) && c != '\n')).isEmpty();
    }

    @Test
    void failuresExitOneAndNameTheFile() {
        CliRunner.Result missing = CliRunner.run("pack", tmp.resolve("nope").toString(), "--out", tmp.resolve("o").toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("source not found").contains("nope");
        CliRunner.Result noInput = CliRunner.run("unpack", tmp.resolve("nothing").toString(), tmp.resolve("d").toString());
        assertThat(noInput.exitCode()).isEqualTo(1);
        assertThat(noInput.err()).contains("is neither a part set");
    }

    @Test
    void packWritesPartsAndAManifestThatUnpackReads() throws Exception {
        Path source = TestTrees.fidelityTree(tmp, "tree");
        Path prefix = tmp.resolve("out/backup");
        CliRunner.Result pack = CliRunner.run("pack", source.toString(), "--out", prefix.toString(),
                "--codec", "gzip", "--level", "1", "--chunk-size", "64KiB", "-q");
        assertThat(pack.exitCode()).as(pack.err()).isZero();
        Manifest manifest = Manifest.read(PartFiles.manifest(prefix));
        assertThat(manifest.name()).isEqualTo("backup");
        assertThat(manifest.codec()).isEqualTo("gzip");
        assertThat(manifest.level()).isEqualTo(1);
        assertThat(manifest.chunkSize()).isEqualTo(65536);
        assertThat(manifest.version()).isEqualTo("1.0");
        assertThat(manifest.entries()).isGreaterThan(15);
        CliRunner.Result unpack = CliRunner.run("unpack", PartFiles.part(prefix, 1).toString(), tmp.resolve("dest").toString(), "-q");
        assertThat(unpack.exitCode()).as(unpack.err()).isZero();
        assertThat(tmp.resolve("dest/tree/中文 文件.txt")).hasSameTextualContentAs(source.resolve("中文 文件.txt"));
        assertThat(Files.list(tmp.resolve("out")).map(p -> p.getFileName().toString()))
                .noneMatch(n -> n.endsWith(PartFiles.TEMP_SUFFIX));
    }
}
