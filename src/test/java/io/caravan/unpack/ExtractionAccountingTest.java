package io.caravan.unpack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.SparseTar;
import io.caravan.dedup.DedupIndex;
import io.caravan.pack.ReferenceEntries;
import io.caravan.progress.ProgressListener;
import io.caravan.util.Sha256;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One accounting of the bytes an extraction writes, whatever the entry kind: a sparse entry's holes
 * (written out), a zip's entries (however many of them share one stored body) and the stored files
 * copied in again for reference entries all count against the expansion bound, and the extraction's
 * content bytes; a reference materialised as a hard link takes no room, and the first copy of a stored
 * content is the receiver's own: neither counts against the expansion bound.
 */
class ExtractionAccountingTest {

    private static final long MIB = 1L << 20;

    @TempDir
    Path tmp;

    private static ExtractPolicy expansion(long ratio) {
        return ExtractPolicy.DEFAULT.withMaxExpansion(ratio, MIB);
    }

    private Unpacker unpacker(ExtractPolicy policy, ExtractHooks hooks) {
        return new Unpacker(new UnpackOptions(true, OnConflict.MERGE, policy), ProgressListener.NONE, hooks);
    }

    private Path sparseTar(long realSize) throws Exception {
        return SparseTar.write(tmp, "top", realSize);
    }

    @Test
    void aSparseEntrysHolesCountAgainstTheExpansionBound() throws Exception {
        Path archive = sparseTar(64 * MIB);
        Path dest = tmp.resolve("dest");

        assertThatThrownBy(() -> {
            try (InputStream in = Files.newInputStream(archive)) {
                unpacker(expansion(1000), ExtractHooks.NONE).unpackArchive(in, "the archive sparse.tar", dest);
            }
        }).isInstanceOf(ExpansionLimitException.class).hasMessageContaining("top/sparse.img")
                .hasMessageContaining("more than 1000 bytes per compressed byte");
        assertThat(dest.resolve("top")).doesNotExist();
    }

    /** The tar reader reads a PAX sparse map's sizes as int: such a file of 2 GiB or more is refused saying so, not as "no tar". */
    @Test
    void aPaxSparseFileOf2GiBOrMoreIsRefusedSayingWhy() throws Exception {
        Path archive = SparseTar.write(tmp, "top", 3L << 30, "--format=pax");
        Path dest = tmp.resolve("dest");

        assertThatThrownBy(() -> {
            try (InputStream in = Files.newInputStream(archive)) {
                unpacker(ExtractPolicy.DEFAULT, ExtractHooks.NONE).unpackArchive(in, "the archive sparse.tar", dest);
            }
        }).isInstanceOf(UnsafeEntryException.class).hasMessageContaining("after 'top/'")
                .hasMessageContaining("sparse file of 2 GiB or more").hasMessageContaining("GNU tar");
        assertThat(dest.resolve("top")).doesNotExist();
    }

    /** 5,000 empty folders take 20 MB of disk (a block each) from 9 KB of zstd: more than 1000 bytes per compressed byte. */
    @Test
    void createdFoldersCountTheBlockEachTakesAgainstTheExpansionBound() throws Exception {
        java.io.ByteArrayOutputStream zst = new java.io.ByteArrayOutputStream();
        try (org.apache.commons.compress.archivers.tar.TarArchiveOutputStream tar =
                     new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(
                             new com.github.luben.zstd.ZstdOutputStream(zst, 19))) {
            for (int i = 0; i < 5000; i++) {
                tar.putArchiveEntry(new org.apache.commons.compress.archivers.tar.TarArchiveEntry(
                        String.format("top/d%05d/", i)));
                tar.closeArchiveEntry();
            }
        }
        Path dest = tmp.resolve("dest");

        assertThatThrownBy(() -> unpacker(expansion(1000), ExtractHooks.NONE)
                .unpackArchive(new java.io.ByteArrayInputStream(zst.toByteArray()), "the archive folders.tar.zst", dest))
                .isInstanceOf(ExpansionLimitException.class).hasMessageContaining("more than 1000 bytes per compressed byte");
        assertThat(dest.resolve("top")).doesNotExist();
    }

    @Test
    void aSparseEntryWithinTheBoundCountsItsRealSize() throws Exception {
        Path archive = sparseTar(8 * MIB);
        try (InputStream in = Files.newInputStream(archive)) {
            UnpackResult result = unpacker(expansion(0), ExtractHooks.NONE).unpackArchive(in, tmp.resolve("dest"));
            assertThat(result.bytes()).isEqualTo(8 * MIB);
        }
        assertThat(tmp.resolve("dest/top/sparse.img")).hasSize(8 * MIB);
    }

    /** A zip of {@code count} central directory records, each of its own name, all pointing at one body of zeros. */
    private Path overlappingZip(int count, int bodySize) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("top/k00000"));
            zip.write(new byte[bodySize]);
            zip.closeEntry();
        }
        ByteBuffer one = ByteBuffer.wrap(out.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
        int end = one.capacity() - 22;
        assertThat(one.getInt(end)).isEqualTo(0x06054b50);
        int directorySize = one.getInt(end + 12);
        int directory = one.getInt(end + 16);
        byte[] record = new byte[directorySize];
        one.get(directory, record);
        ByteBuffer zip = ByteBuffer.allocate(directory + count * directorySize + 22).order(ByteOrder.LITTLE_ENDIAN);
        zip.put(out.toByteArray(), 0, directory);
        for (int i = 0; i < count; i++) {
            byte[] named = record.clone();
            byte[] name = String.format("top/k%05d", i).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(name, 0, named, 46, name.length);
            zip.put(named);
        }
        zip.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) count).putShort((short) count)
                .putInt(count * directorySize).putInt(directory).putShort((short) 0);
        Path file = tmp.resolve("overlap.zip");
        Files.write(file, zip.array());
        return file;
    }

    @Test
    void aZipWhoseEntriesShareOneBodyIsRefusedByTheExpansionBound() throws Exception {
        Path zip = overlappingZip(40, (int) (2 * MIB));
        assertThat(Files.size(zip)).isLessThan(16 * 1024);
        Path dest = tmp.resolve("dest");

        assertThatThrownBy(() -> unpacker(expansion(1000), ExtractHooks.NONE).unpackZip(zip, dest))
                .isInstanceOf(ExpansionLimitException.class).hasMessageContaining("more than 1000 bytes per compressed byte")
                .hasMessageContaining("top/k0");
        assertThat(dest.resolve("top")).doesNotExist();
    }

    private byte[] references(String sha256, long size, int count) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out, "UTF-8")) {
            for (int i = 0; i < count; i++) {
                TarArchiveEntry entry = new TarArchiveEntry("refs/c" + i);
                entry.setSize(0);
                entry.setMode(0100600);
                entry.setModTime(FileTime.fromMillis(1_000_000_000L + i * 1000L)); // not the stored file's: a copy
                entry.addPaxHeader(ReferenceEntries.SHA256, sha256);
                entry.addPaxHeader(ReferenceEntries.SIZE, String.valueOf(size));
                tar.putArchiveEntry(entry);
                tar.closeArchiveEntry();
            }
        }
        return out.toByteArray();
    }

    private DedupIndex storedFile(Path inbox, byte[] content) throws Exception {
        Path stored = Files.createDirectories(inbox).resolve("stored.bin");
        Files.write(stored, content);
        DedupIndex index = new DedupIndex(inbox, tmp.resolve("dedup.jsonl"));
        index.record(List.of(Map.entry(stored, Sha256.of(content, 0, content.length))));
        return index;
    }

    /** The receiver's way of materialising references: from the content index. */
    private static ExtractHooks from(DedupIndex index) {
        return new ExtractHooks() {
            @Override
            public boolean materialise(String sha256, long size, Path target, StoredFileCheck mayLink) throws IOException {
                return index.materialise(sha256, size, target, mayLink);
            }
        };
    }

    /** A stored file whose mtime differs from a reference's by less than a second is copied, not linked: the entry keeps its own mtime. */
    @Test
    void aReferenceIsLinkedOnlyToAStoredFileOfTheSameMillisecond() throws Exception {
        byte[] content = "stored content\n".getBytes(StandardCharsets.UTF_8);
        String sha = Sha256.of(content, 0, content.length);
        Path inbox = tmp.resolve("inbox");
        FileTime entryTime = FileTime.fromMillis(1_700_000_000_100L);
        Path stored = Files.createDirectories(inbox).resolve("stored.bin");
        Files.write(stored, content);
        Files.setPosixFilePermissions(stored, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Files.setLastModifiedTime(stored, FileTime.fromMillis(1_700_000_000_500L)); // the same second, not the same millisecond
        try (DedupIndex index = new DedupIndex(inbox, tmp.resolve("dedup.jsonl"))) {
            index.record(List.of(Map.entry(stored, sha)));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out, "UTF-8")) {
                tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX); // the millisecond in a PAX record
                TarArchiveEntry entry = new TarArchiveEntry("refs/same-second");
                entry.setSize(0);
                entry.setMode(0100600);
                entry.setModTime(entryTime);
                entry.addPaxHeader(ReferenceEntries.SHA256, sha);
                entry.addPaxHeader(ReferenceEntries.SIZE, String.valueOf(content.length));
                tar.putArchiveEntry(entry);
                tar.closeArchiveEntry();
            }

            unpacker(expansion(0), from(index)).unpackArchive(new ByteArrayInputStream(out.toByteArray()), inbox);

            Path unpacked = inbox.resolve("refs/same-second");
            assertThat(unpacked).hasBinaryContent(content);
            assertThat(Files.getLastModifiedTime(unpacked)).isEqualTo(entryTime);
            assertThat(Files.getLastModifiedTime(stored)).isEqualTo(FileTime.fromMillis(1_700_000_000_500L));
        }
    }

    /**
     * A parcel sent again travels as references to what the receiver stores; those copied in (not hard-linked) are the
     * receiver's own verified content, each copied once, not bytes expanded from the stream: 48 files of 1 MiB
     * referenced in a few KB are no decompression bomb (the same file referenced 48 times over is one, below). A
     * 100 MiB file sent a second time was refused as "104857600 bytes from 212".
     */
    @Test
    void referencesToDistinctStoredFilesCopiedInAreNoBomb() throws Exception {
        Path inbox = Files.createDirectories(tmp.resolve("inbox"));
        List<Map.Entry<Path, String>> stored = new java.util.ArrayList<>();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out, "UTF-8")) {
            for (int i = 0; i < 48; i++) {
                byte[] content = new byte[(int) MIB];
                new Random(i).nextBytes(content);
                Path file = inbox.resolve("stored-" + i + ".bin");
                Files.write(file, content);
                String sha = Sha256.of(content, 0, content.length);
                stored.add(Map.entry(file, sha));
                tar.putArchiveEntry(reference("again/f" + i, sha, MIB, 1_000_000_000L));
                tar.closeArchiveEntry();
            }
        }
        try (DedupIndex index = new DedupIndex(inbox, tmp.resolve("dedup.jsonl"))) {
            index.record(stored);
            UnpackResult result = unpacker(expansion(100), from(index)).unpackArchive(new ByteArrayInputStream(out.toByteArray()), inbox);
            assertThat(out.size()).isLessThan(100_000);
            assertThat(result.bytes()).isEqualTo(48 * MIB);
            assertThat(inbox.resolve("again/f47")).hasSameBinaryContentAs(inbox.resolve("stored-47.bin"));
        }
    }

    /**
     * A reference of whole seconds (a plain send keeps no finer time) is linked to a stored file of the same second: the
     * published file then holds the stored one's finer time, within the second the parcel gives. Before, only the
     * same millisecond was linked, so a file published with its milliseconds (a single file's raw upload) was copied
     * at every later send of it.
     */
    @Test
    void aReferenceOfWholeSecondsIsLinkedToAStoredFileOfThatSecond() throws Exception {
        byte[] content = "stored content\n".getBytes(StandardCharsets.UTF_8);
        String sha = Sha256.of(content, 0, content.length);
        Path inbox = tmp.resolve("inbox");
        Path stored = Files.createDirectories(inbox).resolve("stored.bin");
        Files.write(stored, content);
        Files.setPosixFilePermissions(stored, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Files.setLastModifiedTime(stored, FileTime.fromMillis(1_700_000_000_500L));
        try (DedupIndex index = new DedupIndex(inbox, tmp.resolve("dedup.jsonl"))) {
            index.record(List.of(Map.entry(stored, sha)));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out, "UTF-8")) {
                tar.putArchiveEntry(reference("refs/whole-second", sha, content.length, 1_700_000_000_000L));
                tar.closeArchiveEntry();
            }

            unpacker(expansion(0), from(index)).unpackArchive(new ByteArrayInputStream(out.toByteArray()), inbox);

            Path unpacked = inbox.resolve("refs/whole-second");
            assertThat(Files.isSameFile(unpacked, stored)).as("linked").isTrue();
            assertThat(Files.getLastModifiedTime(unpacked)).isEqualTo(FileTime.fromMillis(1_700_000_000_500L));
        }
    }

    private static TarArchiveEntry reference(String name, String sha256, long size, long mtimeMillis) {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(0);
        entry.setMode(0100600);
        entry.setModTime(FileTime.fromMillis(mtimeMillis));
        entry.addPaxHeader(ReferenceEntries.SHA256, sha256);
        entry.addPaxHeader(ReferenceEntries.SIZE, String.valueOf(size));
        return entry;
    }

    @Test
    void referenceEntriesCopiedInCountAgainstTheExpansionBoundAndInTheBytesWritten() throws Exception {
        byte[] content = new byte[(int) MIB];
        new Random(7).nextBytes(content);
        String sha = Sha256.of(content, 0, content.length);
        Path inbox = tmp.resolve("inbox");
        try (DedupIndex index = storedFile(inbox, content)) {
            byte[] few = references(sha, MIB, 3);
            UnpackResult result = unpacker(expansion(0), from(index)).unpackArchive(new ByteArrayInputStream(few), inbox);
            assertThat(result.bytes()).as("three copies of 1 MiB").isEqualTo(3 * MIB);

            byte[] many = references(sha, MIB, 60);
            assertThat(many.length).isLessThan(100_000);
            assertThatThrownBy(() -> unpacker(expansion(100), from(index)).unpackArchive(new ByteArrayInputStream(many), tmp.resolve("d2")))
                    .isInstanceOf(ExpansionLimitException.class).hasMessageContaining("refs/c");
        }
        assertThat(tmp.resolve("d2/refs")).doesNotExist();
    }
}
