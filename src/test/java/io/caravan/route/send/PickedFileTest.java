package io.caravan.route.send;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file parcel's check after its send: a file rewritten in place while it was sent, its size and mtime put back
 * (as a tool that restores times does), is not the file the send started with: its ctime moved. Before, only
 * device, inode, size and mtime were compared, and the parcel went to {@code .sent/} holding other bytes than the
 * receiver got.
 */
class PickedFileTest {

    @TempDir
    Path outbox;

    @Test
    void aFileRewrittenInPlaceWithItsSizeAndMtimePutBackIsChanged() throws Exception {
        Path file = outbox.resolve("report.bin");
        Files.write(file, new byte[64 * 1024]);
        FileTime mtime = Files.getLastModifiedTime(file);
        Thread.sleep(30); // past the file system's timestamp granularity
        Outbox.PickedFile picked = Outbox.PickedFile.of(file);
        assertThat(picked.unchanged(file)).isTrue();

        Thread.sleep(30);
        try (RandomAccessFile rewrite = new RandomAccessFile(file.toFile(), "rw")) {
            rewrite.write(new byte[] {1, 2, 3, 4});
        }
        Files.setLastModifiedTime(file, mtime);

        assertThat(Files.size(file)).isEqualTo(64 * 1024);
        assertThat(Files.getLastModifiedTime(file)).isEqualTo(mtime);
        assertThat(picked.unchanged(file)).isFalse();
    }
}
