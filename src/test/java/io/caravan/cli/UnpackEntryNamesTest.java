package io.caravan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CliRunner;
import io.caravan.CraftedTar;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code caravan unpack} refuses a tar or zip entry whose name breaks a name rule at any depth (a
 * control character, a backslash, {@code .caravan} or {@code .caravan-*}), exits 1 naming the entry
 * escaped and the rule, and publishes nothing.
 */
class UnpackEntryNamesTest {

    @TempDir
    Path tmp;

    private CliRunner.Result unpack(Path archive, Path dest) throws Exception {
        Files.createDirectories(dest);
        CliRunner.Result unpack = CliRunner.run("unpack", archive.toString(), dest.toString(), "-q");
        try (Stream<Path> left = Files.list(dest)) {
            assertThat(left.toList()).as("nothing published: " + unpack.err()).isEmpty();
        }
        assertThat(unpack.exitCode()).as(unpack.err()).isEqualTo(1);
        return unpack;
    }

    private Path tar(String name, String entry) throws Exception {
        return Files.write(tmp.resolve(name + ".tar"), new CraftedTar().dir("nr").file("nr/ok.txt").file(entry).bytes());
    }

    @Test
    void aTarEntryWithAControlCharacterIsRefusedEscaped() throws Exception {
        CliRunner.Result unpack = unpack(tar("ctl", "nr/evil\nname\u001b[31m"), tmp.resolve("d1"));
        assertThat(unpack.err()).contains("refused entry 'nr/evil\\u000aname\\u001b[31m'").contains("control characters")
                .doesNotContain("\u001b");
    }

    @Test
    void tarEntriesWithABackslashOrAReservedPartAreRefused() throws Exception {
        assertThat(unpack(tar("bs", "nr/back\\slash"), tmp.resolve("d2")).err()).contains("backslashes are not allowed");
        assertThat(unpack(tar("st", "nr/.caravan-staging-x"), tmp.resolve("d3")).err())
                .contains("'.caravan-staging-x' is a reserved name");
        assertThat(unpack(tar("ca", "nr/.caravan/versions/x"), tmp.resolve("d4")).err())
                .contains("'.caravan' is a reserved name");
    }

    @Test
    void aZipEntryWithAReservedPartIsRefused() throws Exception {
        Path zip = tmp.resolve("r.zip");
        try (OutputStream file = Files.newOutputStream(zip); ZipArchiveOutputStream out = new ZipArchiveOutputStream(file)) {
            for (String name : new String[] {"nr/ok.txt", "nr/sub/.caravan-tmp"}) {
                out.putArchiveEntry(new ZipArchiveEntry(name));
                out.write("x".getBytes(StandardCharsets.UTF_8));
                out.closeArchiveEntry();
            }
        }
        assertThat(unpack(zip, tmp.resolve("d5")).err()).contains("refused entry 'nr/sub/.caravan-tmp'")
                .contains("'.caravan-tmp' is a reserved name");
    }
}
