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

/**
 * {@code caravan pack} never replaces an existing part set or zip unless told to: without
 * {@code --force} it stops naming what is there and leaves it whole; with it, the new set replaces
 * the old one entirely (no stale part of the old set left beside it).
 */
class PackKeepsExistingOutputTest {

    @TempDir
    Path tmp;

    @Test
    void anExistingPartSetIsLeftWholeWithoutForce() throws Exception {
        Path prefix = tmp.resolve("out/backup");
        assertThat(pack(source("a", 300_000), prefix, "--chunk-size", "64KiB").exitCode()).isZero();
        byte[] before = Files.readAllBytes(PartFiles.manifest(prefix));

        CliRunner.Result again = pack(source("b", 1_000), prefix);

        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).contains(PartFiles.manifest(prefix).toString()).contains("--force");
        assertThat(Files.readAllBytes(PartFiles.manifest(prefix))).isEqualTo(before);
        assertThat(PartFiles.part(prefix, 4)).exists();
    }

    @Test
    void forceReplacesTheWholeSet() throws Exception {
        Path prefix = tmp.resolve("out/backup");
        assertThat(pack(source("a", 300_000), prefix, "--chunk-size", "64KiB").exitCode()).isZero();

        CliRunner.Result again = pack(source("b", 1_000), prefix, "--force");

        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(Manifest.read(PartFiles.manifest(prefix)).totalChunks()).isEqualTo(1);
        try (var left = Files.list(prefix.getParent())) {
            assertThat(left.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("backup.manifest.json", "backup.part0000");
        }
    }

    @Test
    void anExistingZipIsKeptAndAZipPrefixIsNotDoubled() throws Exception {
        Path zip = tmp.resolve("out/site.zip");
        CliRunner.Result first = pack(source("a", 1_000), zip, "--format", "zip");
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(zip).exists();
        assertThat(tmp.resolve("out/site.zip.zip")).doesNotExist();
        byte[] before = Files.readAllBytes(zip);

        CliRunner.Result again = pack(source("b", 2_000), zip, "--format", "zip");

        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).contains(zip.toString()).contains("--force");
        assertThat(Files.readAllBytes(zip)).isEqualTo(before);
        assertThat(pack(source("b", 2_000), zip, "--format", "zip", "--force").exitCode()).isZero();
        assertThat(Files.readAllBytes(zip)).isNotEqualTo(before);
    }

    private Path source(String name, int size) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("src-" + name).resolve("data"));
        TestTrees.random(dir.resolve("f.bin"), size, name.hashCode());
        return dir;
    }

    private static CliRunner.Result pack(Path source, Path out, String... more) {
        String[] args = new String[4 + more.length];
        args[0] = "pack";
        args[1] = source.toString();
        args[2] = "--out";
        args[3] = out.toString();
        System.arraycopy(more, 0, args, 4, more.length);
        String[] quiet = java.util.Arrays.copyOf(args, args.length + 1);
        quiet[args.length] = "-q";
        return CliRunner.run(quiet);
    }
}
