package io.caravan.unpack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A zip's declared entry count and central directory size, read from its end (Zip64 records included), as Python writes them. */
class ZipEndRecordTest {

    @TempDir
    Path tmp;

    @Test
    void aSmallZipWithACommentDeclaresItsEntries() throws Exception {
        Path zip = python("z.comment = b'x' * 1000\n    for i in range(3):\n        z.writestr('f%d' % i, b'data')");
        long directory = 3 * (46 + 2);
        assertThat(ZipEndRecord.read(zip)).contains(new ZipEndRecord(3, directory, false, Files.size(zip) - 22 - 1000 - directory,
                Files.size(zip) - 22 - 1000));
    }

    @Test
    void aZipOfMoreThan65535EntriesDeclaresThemInItsZip64Record() throws Exception {
        Path zip = python("for i in range(70000):\n        z.writestr('f%06d' % i, b'')");
        long directory = 70_000L * (46 + 7);
        assertThat(ZipEndRecord.read(zip)).contains(new ZipEndRecord(70_000, directory, true,
                Files.size(zip) - 22 - 20 - 56 - directory, Files.size(zip) - 22 - 20 - 56)); // the end record, Zip64 locator and Zip64 record after it
    }

    @Test
    void aFileWithoutAnEndRecordHasNone() throws Exception {
        Path file = Files.writeString(tmp.resolve("not.zip"), "PK\u0003\u0004 but nothing else");
        assertThat(ZipEndRecord.read(file)).isEmpty();
    }

    private Path python(String statements) throws Exception {
        Path zip = tmp.resolve("made.zip");
        Process process = new ProcessBuilder(List.of("python3", "-c", "import zipfile,sys\nwith zipfile.ZipFile(sys.argv[1], 'w') as z:\n    "
                + statements, zip.toString())).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return zip;
    }
}
