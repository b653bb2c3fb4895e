package io.caravan.unpack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.progress.ProgressListener;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Date;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An extraction remembers every folder (its mode and mtime, applied at the end) and every link (checked again at
 * the end) of the archive; a small archive of a million links held them all on the heap and ended the receiver
 * with an OutOfMemoryError, again at each restart. Past a block of them they are spilled to a file: the tree is
 * the same, a link that other links lead outside is still refused, and the spill file is gone afterwards.
 */
class SpilledExtractionTest {

    private static final long T0 = 1_600_000_000_000L;

    @TempDir
    Path tmp;

    @Test
    void foldersAndLinksPastTheBlockAreSpilledAndStillFinished() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            dir(tar, "p/", 0755, T0);
            for (int d = 0; d < 60; d++) {
                dir(tar, "p/d" + d + "/", d % 2 == 0 ? 0750 : 0700, T0 + d * 1000L);
                for (int l = 0; l < 5; l++) {
                    link(tar, "p/d" + d + "/l" + l, "../d" + ((d + 1) % 60));
                }
            }
        }
        Path spill = Files.createDirectories(tmp.resolve("spill"));
        Path root = Files.createDirectories(tmp.resolve("root"));

        SafeExtractor.Result result = new SafeExtractor(ExtractPolicy.DEFAULT, ProgressListener.NONE, ExtractHooks.NONE, 8, spill)
                .extract(new ByteArrayInputStream(bytes.toByteArray()), root);

        assertThat(result.entries()).isEqualTo(1 + 60 + 300);
        for (int d = 0; d < 60; d++) {
            Path dir = root.resolve("p/d" + d);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).as(dir.toString())
                    .isEqualTo(d % 2 == 0 ? "rwxr-x---" : "rwx------");
            assertThat(Files.getLastModifiedTime(dir).toMillis()).as(dir.toString()).isEqualTo(T0 + d * 1000L);
            assertThat(Files.readSymbolicLink(dir.resolve("l4")).toString()).isEqualTo("../d" + ((d + 1) % 60));
        }
        assertThat(Files.getLastModifiedTime(root.resolve("p")).toMillis()).isEqualTo(T0);
        try (var left = Files.list(spill)) {
            assertThat(left.toList()).as("spill files left").isEmpty();
        }
    }

    @Test
    void aSpilledLinkThatALaterLinkLeadsOutsideIsStillRefused() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            dir(tar, "p/", 0755, T0);
            dir(tar, "p/d1/", 0755, T0);
            link(tar, "p/y", "d1/s/.."); // inside p by its words: p/d1
            for (int i = 0; i < 50; i++) {
                link(tar, "p/filler" + i, "d1");
            }
            link(tar, "p/d1/s", ".."); // p/d1/s is p, so p/y is p's parent: outside
        }
        Path spill = Files.createDirectories(tmp.resolve("spill"));
        Path root = Files.createDirectories(tmp.resolve("root"));

        assertThatThrownBy(() -> new SafeExtractor(ExtractPolicy.DEFAULT, ProgressListener.NONE, ExtractHooks.NONE, 4, spill)
                .extract(new ByteArrayInputStream(bytes.toByteArray()), root))
                .isInstanceOf(UnsafeEntryException.class).hasMessageContaining("p/y").hasMessageContaining("outside");
        try (var left = Files.list(spill)) {
            assertThat(left.toList()).as("spill files left").isEmpty();
        }
    }

    @Test
    void aZipsFoldersPastTheBlockAreSpilledAndTheSpillFileIsGoneAfterwards() throws Exception {
        Path zip = tmp.resolve("folders.zip");
        try (org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream out =
                     new org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream(zip.toFile())) {
            for (int d = 0; d < 30; d++) {
                org.apache.commons.compress.archivers.zip.ZipArchiveEntry entry =
                        new org.apache.commons.compress.archivers.zip.ZipArchiveEntry("p/d" + d + "/");
                entry.setUnixMode(040700);
                out.putArchiveEntry(entry);
                out.closeArchiveEntry();
            }
        }
        Path spill = Files.createDirectories(tmp.resolve("spill"));
        Path root = Files.createDirectories(tmp.resolve("root"));

        try (org.apache.commons.compress.archivers.zip.ZipFile file =
                     org.apache.commons.compress.archivers.zip.ZipFile.builder().setPath(zip).get()) {
            new SafeExtractor(ExtractPolicy.DEFAULT, ProgressListener.NONE, ExtractHooks.NONE, 4, spill).extractZip(file, root);
        }

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("p/d29")))).isEqualTo("rwx------");
        try (var left = Files.list(spill)) {
            assertThat(left.toList()).as("spill files left").isEmpty();
        }
    }

    private static void dir(TarArchiveOutputStream tar, String name, int mode, long mtime) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name, TarConstants.LF_DIR);
        entry.setMode(mode);
        entry.setModTime(new Date(mtime));
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
    }

    private static void link(TarArchiveOutputStream tar, String name, String target) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
        entry.setLinkName(target);
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
    }
}
