package io.caravan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CliRunner;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code caravan unpack} refuses what is not a whole tar archive: a stream that ends before its
 * end-of-archive marker (cut inside its first header, cut after an entry, or a few bytes that are no
 * tar at all) exits 1 as damaged and publishes nothing; an empty tar (its end marker only) is a valid
 * empty archive. A manifest larger than any manifest can be is refused, naming it, before it is read.
 */
class UnpackIncompleteInputTest {

    @TempDir
    Path tmp;

    private static byte[] tar() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out, "UTF-8")) {
            TarArchiveEntry entry = new TarArchiveEntry("top/f");
            byte[] content = "content\n".getBytes(StandardCharsets.UTF_8);
            entry.setSize(content.length);
            tar.putArchiveEntry(entry);
            tar.write(content);
            tar.closeArchiveEntry();
        }
        return out.toByteArray();
    }

    private CliRunner.Result unpack(String name, byte[] data) throws Exception {
        Path archive = Files.write(tmp.resolve(name), data);
        return CliRunner.run("unpack", archive.toString(), tmp.resolve("dest").toString(), "-q");
    }

    private void refusedAsDamaged(CliRunner.Result unpack) {
        assertThat(unpack.exitCode()).as(unpack.err()).isEqualTo(1);
        assertThat(unpack.err()).contains("not a complete archive").contains("nothing was published");
        assertThat(tmp.resolve("dest/top")).doesNotExist();
    }

    @Test
    void aTarCutInsideItsFirstHeaderIsRefused() throws Exception {
        refusedAsDamaged(unpack("t511.tar", Arrays.copyOf(tar(), 511)));
    }

    @Test
    void aFewBytesThatAreNoTarAreRefused() throws Exception {
        refusedAsDamaged(unpack("hello.tar", "hello".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aTarCutAfterAnEntryBeforeItsEndMarkerIsRefused() throws Exception {
        refusedAsDamaged(unpack("cut.tar", Arrays.copyOf(tar(), 1024)));
    }

    @Test
    void anEmptyTarIsAnEmptyArchive() throws Exception {
        CliRunner.Result unpack = unpack("empty.tar", new byte[1024]);
        assertThat(unpack.exitCode()).as(unpack.err()).isZero();
    }

    @Test
    void aManifestLargerThanAnyManifestIsRefusedBeforeItIsRead() throws Exception {
        Path prefix = tmp.resolve("p");
        Files.write(tmp.resolve("p.part0000"), tar());
        Path manifest = tmp.resolve("p.manifest.json");
        byte[] spaces = new byte[1 << 20];
        Arrays.fill(spaces, (byte) ' ');
        try (OutputStream out = Files.newOutputStream(manifest, StandardOpenOption.CREATE_NEW)) {
            for (int i = 0; i < 65; i++) {
                out.write(spaces);
            }
            out.write("{}".getBytes(StandardCharsets.UTF_8));
        }

        CliRunner.Result unpack = CliRunner.run("unpack", prefix.toString(), tmp.resolve("dest").toString(), "-q");

        assertThat(unpack.exitCode()).as(unpack.err()).isEqualTo(1);
        assertThat(unpack.err()).contains(manifest.toString()).contains("larger than").doesNotContain("OutOfMemoryError");
    }
}
