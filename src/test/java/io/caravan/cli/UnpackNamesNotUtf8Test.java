package io.caravan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CliRunner;
import io.caravan.TestTrees;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tar entry whose name is not UTF-8 is refused naming its bytes, and nothing is published: two such
 * names that differ only in those bytes never land on one file. The receiver and {@code caravan get}
 * extract with the same reader, so they refuse it alike.
 */
class UnpackNamesNotUtf8Test {

    @TempDir
    Path tmp;

    /** A tar whose names are written as ISO-8859-1 bytes ({@code "\u00ff"} is the byte 0xff), long ones as GNU long names. */
    private Path tar(String name, String... files) throws IOException {
        Path archive = tmp.resolve(name);
        try (OutputStream out = Files.newOutputStream(archive);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(out, "ISO-8859-1")) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_GNU);
            TarArchiveEntry top = new TarArchiveEntry("top/", true);
            top.setMode(040755);
            tar.putArchiveEntry(top);
            tar.closeArchiveEntry();
            for (String file : files) {
                TestTrees.tarFile(tar, file, file.getBytes(StandardCharsets.UTF_8));
            }
        }
        return archive;
    }

    @Test
    void twoNamesThatDifferInBytesThatAreNotUtf8AreRefusedNotMerged() throws Exception {
        Path archive = tar("bad.tar", "top/ok.txt", "top/a\u00ffb", "top/a\u00feb");
        Path dest = tmp.resolve("dest");

        CliRunner.Result unpack = CliRunner.run("unpack", archive.toString(), dest.toString(), "-q");

        assertThat(unpack.exitCode()).as(unpack.err()).isEqualTo(1);
        assertThat(unpack.err()).contains("top/a\\xffb").contains("its name is not UTF-8");
        assertThat(dest.resolve("top")).doesNotExist();
    }

    @Test
    void aLongNameThatIsNotUtf8IsRefused() throws Exception {
        String longName = "top/" + "l".repeat(120) + "\u00e9";
        Path archive = tar("long.tar", longName);

        CliRunner.Result unpack = CliRunner.run("unpack", archive.toString(), tmp.resolve("dest").toString(), "-q");

        assertThat(unpack.exitCode()).as(unpack.err()).isEqualTo(1);
        assertThat(unpack.err()).contains("l".repeat(20)).contains("\\xe9").contains("its name is not UTF-8");
        assertThat(tmp.resolve("dest/top")).doesNotExist();
    }

    @Test
    void utf8NamesLongAndShortAreUnpacked() throws Exception {
        String longName = "top/" + "l".repeat(120) + "é.txt";
        Path archive = tmp.resolve("good.tar");
        try (OutputStream out = Files.newOutputStream(archive);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(out, "UTF-8")) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_GNU);
            for (String file : new String[] {"top/é.txt", longName}) {
                TestTrees.tarFile(tar, file, new byte[] {'x'});
            }
        }

        CliRunner.Result unpack = CliRunner.run("unpack", archive.toString(), tmp.resolve("dest").toString(), "-q");

        assertThat(unpack.exitCode()).as(unpack.err()).isZero();
        assertThat(tmp.resolve("dest/top/é.txt")).hasContent("x");
        assertThat(tmp.resolve("dest").resolve(longName)).hasContent("x");
    }
}
