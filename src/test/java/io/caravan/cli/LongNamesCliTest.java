package io.caravan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CliRunner;
import io.caravan.CraftedTar;
import io.caravan.fs.NameRules;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code caravan unpack} and {@code caravan get} refuse names over the length limits with a message naming the rule. */
class LongNamesCliTest {

    @TempDir
    Path tmp;

    @Test
    void unpackOfAnArchiveWithAnOverlongEntryFailsNamingTheLimitAndWritesNothing() throws Exception {
        String entry = "docs/" + "a/".repeat(2100) + "f";
        Path archive = tmp.resolve("deep.tar");
        Files.write(archive, new CraftedTar().file(entry).bytes());
        Path out = Files.createDirectories(tmp.resolve("out"));

        CliRunner.Result unpack = CliRunner.run("unpack", archive.toString(), out.toString(), "-q");

        assertThat(unpack.exitCode()).as(unpack.err()).isEqualTo(1);
        assertThat(unpack.err()).contains("refused entry").contains(NameRules.MAX_PATH_BYTES + " bytes");
        try (Stream<Path> left = Files.list(out)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void getOfAnOverlongNameFailsNamingTheLimit() {
        String name = "a/".repeat(2100) + "a";

        CliRunner.Result get = CliRunner.run("get", "http://127.0.0.1:9/" + name, tmp.resolve("here").toString());

        assertThat(get.exitCode()).as(get.err()).isNotZero();
        assertThat(get.err()).contains(NameRules.MAX_PATH_BYTES + " bytes");
    }
}
