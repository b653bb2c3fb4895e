package io.caravan.pack;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.fs.ConfinedDir;
import io.caravan.progress.ProgressListener;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Zip64: a file over 4 GiB (sparse, so cheap to write and to deflate) gets Zip64 records that Python's zipfile reads. */
class ZipTreeWriterTest {

    private static final long BIG = (4L << 30) + 12345;

    @TempDir
    Path tmp;

    @Test
    void aFileOver4GiBIsWrittenWithZip64Records() throws Exception {
        Path folder = Files.createDirectories(tmp.resolve("big"));
        try (RandomAccessFile file = new RandomAccessFile(folder.resolve("sparse.bin").toFile(), "rw")) {
            file.setLength(BIG);
        }
        Files.writeString(folder.resolve("after.txt"), "after the big one\n");
        Path zip = tmp.resolve("big.zip");
        try (ConfinedDir parent = ConfinedDir.open(tmp); OutputStream out = new BufferedOutputStream(Files.newOutputStream(zip), 1 << 20)) {
            new ZipTreeWriter(ProgressListener.NONE, 1, new ZipEntryBound(10)).write(parent, "big", "big", out);
        }
        Process python = new ProcessBuilder(List.of("python3", "-c", "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]);"
                + " assert z.getinfo('big/sparse.bin').file_size == " + BIG + ", z.getinfo('big/sparse.bin').file_size;"
                + " assert z.read('big/after.txt') == b'after the big one\\n'", zip.toString())).redirectErrorStream(true).start();
        String output = new String(python.getInputStream().readAllBytes());
        assertThat(python.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(python.exitValue()).as(output).isZero();
    }
}
