package io.caravan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CliRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A destination whose {@code .caravan} (where replaced entries are kept) is a symbolic link is refused
 * before anything changes: nothing is extracted or staged beside it and nothing is written through it.
 */
class LinkedStateFolderTest {

    @TempDir
    Path tmp;

    @Test
    void unpackRefusesALinkedCaravanFolderBeforeAnythingChanges() throws Exception {
        Path source = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(source.resolve("a.txt"), "new");
        Path parts = tmp.resolve("parts/site");
        CliRunner.Result packed = CliRunner.run("pack", source.toString(), "--out", parts.toString());
        assertThat(packed.exitCode()).as(packed.err()).isZero();
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Path dest = Files.createDirectories(tmp.resolve("dest"));
        Files.createDirectories(dest.resolve("src"));
        Files.writeString(dest.resolve("src/a.txt"), "old");
        Files.createSymbolicLink(dest.resolve(".caravan"), outside);

        CliRunner.Result unpacked = CliRunner.run("unpack", parts.toString(), dest.toString(), "--on-conflict", "merge");

        assertThat(unpacked.exitCode()).isEqualTo(1);
        assertThat(unpacked.err()).contains(".caravan").contains("link");
        assertThat(dest.resolve("src/a.txt")).hasContent("old");
        assertThat(outside).isEmptyDirectory();
        try (Stream<Path> entries = Files.list(dest)) {
            assertThat(entries.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(".caravan", "src");
        }
    }
}
