package io.caravan.unpack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.HeaderBombTar;
import io.caravan.progress.ProgressListener;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A tar header that declares a huge body (a GNU long name or link, a PAX or Solaris extended header,
 * a PAX global header), which the tar reader would hold in memory whole, is refused from its declared
 * size, before its body is read; ordinary archives with long names and links still extract.
 */
class TarHeaderGuardTest {

    private static final long SIXTY_MIB = 60L << 20;

    @TempDir
    Path tmp;

    /** Counts the bytes the extraction read from the tar stream. */
    private static final class Counting extends FilterInputStream {
        long read;

        Counting(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            read += b < 0 ? 0 : 1;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            read += Math.max(0, n);
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long s = super.skip(n);
            read += s;
            return s;
        }
    }

    private Path root() throws IOException {
        return Files.createDirectories(tmp.resolve("root"));
    }

    @ParameterizedTest
    @ValueSource(chars = {'L', 'K', 'x', 'X', 'g'})
    void aHeaderDeclaringSixtyMebibytesIsRefusedBeforeItsBodyIsRead(char type) throws IOException {
        for (boolean binary : new boolean[] {false, true}) {
            Counting tar = new Counting(HeaderBombTar.stream((byte) type, SIXTY_MIB, binary));
            assertThatThrownBy(() -> new SafeExtractor(ExtractPolicy.DEFAULT, ProgressListener.NONE).extract(tar, root()))
                    .as("type %s, %s size", type, binary ? "base-256" : "octal")
                    .isInstanceOf(UnsafeEntryException.class)
                    .hasMessageContaining("type '" + type + "'")
                    .hasMessageContaining("declares " + SIXTY_MIB + " bytes")
                    .hasMessageContaining("at most " + TarHeaderGuard.MAX_HEADER_BODY);
            assertThat(tar.read).as("bytes read before the refusal").isLessThan(64 * 1024);
        }
    }

    @Test
    void aLongNameBombOfSixtyOneKilobytesOfGzipIsRefusedQuicklyAndNothingIsPublished() throws IOException {
        byte[] gz = HeaderBombTar.gzip((byte) 'L', SIXTY_MIB);
        assertThat(gz.length).isLessThan(100_000);
        long start = System.nanoTime();
        assertThatThrownBy(() -> new Unpacker(UnpackOptions.DEFAULT, ProgressListener.NONE)
                .unpackArchive(new ByteArrayInputStream(gz), tmp.resolve("dest")))
                .isInstanceOf(UnsafeEntryException.class)
                .hasMessageContaining("refused entry '././@LongLink'")
                .hasMessageContaining("GNU long-name header (type 'L'");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5_000);
        try (var walk = Files.list(tmp.resolve("dest"))) {
            assertThat(walk.toList()).as("nothing published, staging removed").isEmpty();
        }
    }

    /** The reader takes no content from a folder whatever size it declares: the block after it is read as a header, and judged. */
    @Test
    void aHeaderHiddenWhereAFolderDeclaresContentIsJudgedToo() throws IOException {
        InputStream tar = new SequenceInputStream(new ByteArrayInputStream(HeaderBombTar.header("d/", (byte) '5', 1024, false)),
                HeaderBombTar.stream((byte) 'L', SIXTY_MIB, false));
        assertThatThrownBy(() -> new SafeExtractor(ExtractPolicy.DEFAULT, ProgressListener.NONE).extract(tar, root()))
                .isInstanceOf(UnsafeEntryException.class)
                .hasMessageContaining("type 'L', at byte 512 of the tar stream");
    }

    @Test
    void globalPaxHeadersEachWithinTheLimitAreRefusedOnceTheyAddUpPastTheirTotal() throws IOException {
        List<InputStream> parts = new ArrayList<>();
        int body = 60 * 1024;
        for (int i = 0; i < 10; i++) {
            parts.add(new ByteArrayInputStream(HeaderBombTar.header("pax_global_header", (byte) 'g', body, false)));
            parts.add(new ByteArrayInputStream(paxRecords("comment", body)));
            parts.add(new ByteArrayInputStream(fileEntry("f" + i + ".txt")));
        }
        parts.add(new ByteArrayInputStream(new byte[1024]));
        InputStream tar = new SequenceInputStream(Collections.enumeration(parts));
        assertThatThrownBy(() -> new SafeExtractor(ExtractPolicy.DEFAULT, ProgressListener.NONE).extract(tar, root()))
                .isInstanceOf(UnsafeEntryException.class)
                .hasMessageContaining("PAX global headers")
                .hasMessageContaining("more than " + TarHeaderGuard.MAX_GLOBAL_PAX);
    }

    @Test
    void aChainOfHeadersEachWithinTheLimitIsRefusedOnceOneEntrysHeadersPassTheirTotal() throws IOException {
        List<InputStream> parts = new ArrayList<>();
        int body = 60 * 1024;
        for (int i = 0; i < 40; i++) {
            parts.add(new ByteArrayInputStream(HeaderBombTar.header("./PaxHeaders/f", (byte) 'x', body, false)));
            parts.add(new ByteArrayInputStream(paxRecords("comment", body)));
        }
        parts.add(new ByteArrayInputStream(fileEntry("f.txt")));
        parts.add(new ByteArrayInputStream(new byte[1024]));
        Counting tar = new Counting(new SequenceInputStream(Collections.enumeration(parts)));
        assertThatThrownBy(() -> new SafeExtractor(ExtractPolicy.DEFAULT, ProgressListener.NONE).extract(tar, root()))
                .isInstanceOf(UnsafeEntryException.class)
                .hasMessageContaining("headers of one entry take more than " + TarHeaderGuard.MAX_HEADERS_PER_ENTRY);
        assertThat(tar.read).isLessThan(TarHeaderGuard.MAX_HEADERS_PER_ENTRY + 128 * 1024);
    }

    @ParameterizedTest
    @ValueSource(ints = {TarArchiveOutputStream.LONGFILE_GNU, TarArchiveOutputStream.LONGFILE_POSIX})
    void longNamesLinksAndLargeFilesStillExtract(int longFileMode) throws IOException {
        String deep = String.join("/", Collections.nCopies(15, "d".repeat(200))); // about 3 KB of name
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes, "UTF-8")) {
            tar.setLongFileMode(longFileMode);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            TarArchiveEntry dir = new TarArchiveEntry("p/" + deep + "/", true);
            dir.setMode(040755);
            tar.putArchiveEntry(dir);
            tar.closeArchiveEntry();
            byte[] content = new byte[700_001];
            content[700_000] = 7;
            TarArchiveEntry file = new TarArchiveEntry("p/" + deep + "/长い名前.bin", true);
            file.setMode(0100644);
            file.setSize(content.length);
            tar.putArchiveEntry(file);
            tar.write(content);
            tar.closeArchiveEntry();
            TarArchiveEntry link = new TarArchiveEntry("p/link", TarConstants.LF_SYMLINK, true);
            link.setLinkName(deep + "/长い名前.bin");
            tar.putArchiveEntry(link);
            tar.closeArchiveEntry();
            TarArchiveEntry hard = new TarArchiveEntry("p/" + deep + "/hard", TarConstants.LF_LINK, true);
            hard.setLinkName("p/" + deep + "/长い名前.bin");
            tar.putArchiveEntry(hard);
            tar.closeArchiveEntry();
            TarArchiveEntry after = new TarArchiveEntry("p/after.txt", true);
            after.setMode(0100644);
            after.setSize(3);
            tar.putArchiveEntry(after);
            tar.write("end".getBytes(StandardCharsets.UTF_8));
            tar.closeArchiveEntry();
        }
        Path root = root();
        SafeExtractor.Result result = new SafeExtractor(ExtractPolicy.DEFAULT, ProgressListener.NONE)
                .extract(new ByteArrayInputStream(bytes.toByteArray()), root);
        assertThat(result.entries()).isEqualTo(5);
        assertThat(Files.size(root.resolve("p/link"))).isEqualTo(700_001);
        assertThat(Files.readAllBytes(root.resolve("p/" + deep + "/hard"))[700_000]).isEqualTo((byte) 7);
        assertThat(root.resolve("p/after.txt")).hasContent("end");
    }

    /** Old GNU sparse headers (a few holes, in the header itself) and PAX sparse maps (many holes) pass the guard. */
    @ParameterizedTest
    @ValueSource(strings = {"gnu:3", "pax:40"})
    void gnuTarArchivesWithSparseFilesLongNamesAndLinksStillExtract(String formatAndChunks) throws Exception {
        String format = formatAndChunks.split(":")[0];
        int chunks = Integer.parseInt(formatAndChunks.split(":")[1]);
        Path src = Files.createDirectories(tmp.resolve("src/p/" + "n".repeat(200) + "/" + "m".repeat(200)));
        try (var file = new java.io.RandomAccessFile(src.resolve("sparse.bin").toFile(), "rw")) {
            for (int i = 0; i < chunks; i++) {
                file.seek(i * 1_000_000L);
                file.write(("chunk" + i).getBytes(StandardCharsets.UTF_8));
            }
        }
        Files.createSymbolicLink(src.resolve("link"), Path.of("sparse.bin"));
        Files.createLink(src.resolve("hard"), src.resolve("sparse.bin"));
        Path archive = tmp.resolve(format + ".tar");
        Process tar = new ProcessBuilder("tar", "--format=" + format, "--sparse", "-cf", archive.toString(), "-C",
                tmp.resolve("src").toString(), "p").redirectErrorStream(true).start();
        assertThat(tar.waitFor()).as(new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
        Path root = root();
        try (InputStream in = Files.newInputStream(archive)) {
            new SafeExtractor(ExtractPolicy.DEFAULT, ProgressListener.NONE).extract(in, root);
        }
        Path out = root.resolve(tmp.resolve("src").relativize(src));
        assertThat(out.resolve("sparse.bin")).isRegularFile();
        assertThat(Files.readSymbolicLink(out.resolve("link"))).isEqualTo(Path.of("sparse.bin"));
        assertThat(Files.isSameFile(out.resolve("hard"), out.resolve("sparse.bin"))).isTrue();
    }

    /** PAX records {@code key=value} padded with more records to exactly {@code size} bytes. */
    private static byte[] paxRecords(String key, int size) {
        byte[] out = new byte[(size + 511) / 512 * 512];
        // the record's length counts its own digits: "NNNNN key=value\n"
        String value = "c".repeat(size - String.valueOf(size).length() - key.length() - 3);
        String record = size + " " + key + "=" + value + "\n";
        assertThat(record.length()).isEqualTo(size);
        System.arraycopy(record.getBytes(StandardCharsets.US_ASCII), 0, out, 0, size);
        return out;
    }

    private static byte[] fileEntry(String name) {
        byte[] out = new byte[1024];
        System.arraycopy(HeaderBombTar.header(name, (byte) '0', 1, false), 0, out, 0, 512);
        out[512] = 'x';
        return out;
    }
}
